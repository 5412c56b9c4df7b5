# a traversal cannot end with a dot
locals {
  a = local.b.
}
