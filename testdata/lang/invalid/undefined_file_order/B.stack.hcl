# files load in byte order: this one (B) comes before a.stack.hcl
locals {
  b = var.nope_b
}
