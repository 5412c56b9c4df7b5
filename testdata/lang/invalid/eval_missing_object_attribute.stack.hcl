# an object without that attribute
locals {
  svc = { name = "web" }
  a   = local.svc.nmae
}
