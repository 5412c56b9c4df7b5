# reading an attribute of null
locals {
  x = null
  a = local.x.name
}
