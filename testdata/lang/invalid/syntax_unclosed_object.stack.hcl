# an object missing its }
locals {
  a = { x = 1
}
