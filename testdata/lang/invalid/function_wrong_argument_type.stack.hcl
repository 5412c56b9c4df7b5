# upper takes a string
locals {
  a = upper([1])
}
