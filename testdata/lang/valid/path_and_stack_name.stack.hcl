# path.stack and stack.name from the stack block
stack "shop" {}
locals {
  dir  = path.stack
  name = stack.name
}
