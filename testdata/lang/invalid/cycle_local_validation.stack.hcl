# a validation that depends on a local that depends on the variable
variable "x" {
  default = 1
  validation {
    condition     = local.limit > 0
    error_message = "bad"
  }
}
locals {
  limit = var.x + 1
}
