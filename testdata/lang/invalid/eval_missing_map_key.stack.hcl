# a key that is not in the map
locals {
  m = { a = 1 }
  b = local.m["c"]
}
