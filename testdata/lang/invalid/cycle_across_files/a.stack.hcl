# local.a here needs local.b from the other file
locals {
  a = local.b
}
