# tonumber of text that is not a number
locals {
  a = tonumber("ten")
}
