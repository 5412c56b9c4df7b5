# ${ without }
locals {
  a = "x ${var.y"
}
