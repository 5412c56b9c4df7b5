# local.b here needs local.a from the other file
locals {
  b = "${local.a}x"
}
