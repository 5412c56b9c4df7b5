# element of an empty list
locals {
  a = element([], 0)
}
