# an index error does not print a sensitive index
variable "slot" {
  type      = number
  default   = 7
  sensitive = true
}
locals {
  a = ["x", "y"][var.slot]
}
