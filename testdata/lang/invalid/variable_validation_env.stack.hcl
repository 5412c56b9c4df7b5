# a value from the environment that fails validation
variable "port" {
  type = number
  validation {
    condition     = var.port > 1024
    error_message = "port must be above 1024"
  }
}
