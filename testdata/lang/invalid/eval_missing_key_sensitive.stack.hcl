# a missing-key error does not print a sensitive key
variable "key" {
  default   = "hunter2"
  sensitive = true
}
locals {
  a = { x = 1 }[var.key]
}
