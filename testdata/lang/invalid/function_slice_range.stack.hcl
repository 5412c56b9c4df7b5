# slice() beyond the end of the list
locals {
  a = slice([1, 2], 1, 5)
}
