# a cycle through three locals
locals {
  a = local.b
  b = local.c
  c = "${local.a}!"
}
