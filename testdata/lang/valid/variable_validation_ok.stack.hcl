# a validation that holds
variable "replicas" {
  type    = number
  default = 3
  validation {
    condition     = var.replicas >= 1 && var.replicas <= 20
    error_message = "replicas must be between 1 and 20"
  }
}
