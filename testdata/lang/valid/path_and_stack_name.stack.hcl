stack "shop" {}
locals {
  dir  = path.stack
  name = stack.name
}
