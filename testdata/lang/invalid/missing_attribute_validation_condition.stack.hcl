# a validation needs a condition
variable "x" {
  default = 1
  validation {
    error_message = "bad"
  }
}
