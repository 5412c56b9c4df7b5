# a splat over objects without that attribute
locals {
  list = [{ n = 1 }, { n = 2 }]
  a    = local.list[*].m
}
