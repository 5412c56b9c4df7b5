# try does not hide an undeclared reference
locals {
  a = try(var.nope, 1)
}
