# a validation may refer to other variables and to locals; the last --var for a name wins
variable "min" {
  type    = number
  default = 2
}
variable "replicas" {
  type = number
  validation {
    condition     = var.replicas >= var.min && var.replicas <= local.max
    error_message = "replicas must be between ${var.min} and ${local.max}"
  }
}
locals {
  max = 5
}
