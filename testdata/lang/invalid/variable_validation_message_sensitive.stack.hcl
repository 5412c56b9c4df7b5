# an error message that interpolates a sensitive value does not print it
variable "password" {
  default   = "hunter2"
  sensitive = true
  validation {
    condition     = length(var.password) >= 12
    error_message = "the password ${var.password} is too short"
  }
}
