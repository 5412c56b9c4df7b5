# two locals that refer to each other
locals {
  a = local.b
  b = local.a
}
