# a validation needs an error message
variable "x" {
  default = 1
  validation {
    condition = var.x > 0
  }
}
