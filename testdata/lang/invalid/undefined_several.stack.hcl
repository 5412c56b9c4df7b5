# several undefined references are all reported, sorted by position
locals {
  a = var.one
  b = local.two
  c = container.three.name
}
