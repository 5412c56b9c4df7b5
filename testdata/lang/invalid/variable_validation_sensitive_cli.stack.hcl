# a failed validation of a sensitive --var value does not show the value
variable "password" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.password) >= 12
    error_message = "the password needs 12 characters"
  }
}
