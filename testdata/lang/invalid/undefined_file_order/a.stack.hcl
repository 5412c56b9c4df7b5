# only *.stack.hcl files directly in the directory are loaded
locals {
  a = var.nope_a
}
