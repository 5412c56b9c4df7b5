# locals may refer to locals declared later
locals {
  c = "${local.b}-c"
  b = "${local.a}-b"
}
locals {
  a = "a"
}
