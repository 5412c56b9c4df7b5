# a local that refers to itself
locals {
  a = local.a + 1
}
