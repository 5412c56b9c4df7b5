# the second of two validations fails
variable "replicas" {
  type    = number
  default = 30
  validation {
    condition     = var.replicas >= 1
    error_message = "at least one replica"
  }
  validation {
    condition     = var.replicas <= 20
    error_message = "at most 20 replicas"
  }
}
