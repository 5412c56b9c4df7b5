# a variable that is not declared
variable "port" {
  default = 80
}
locals {
  a = var.prot
}
