# two values after one = on the same line
locals {
  a = true false
}
