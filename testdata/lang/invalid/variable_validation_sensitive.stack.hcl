# a failed validation does not print a sensitive value
variable "password" {
  type      = string
  default   = "short"
  sensitive = true
  validation {
    condition     = length(var.password) >= 12
    error_message = "the password needs 12 characters"
  }
}
