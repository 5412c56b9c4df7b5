# a local that is not declared
locals {
  greeting = "hi"
  a        = local.greting
}
