# an error message may interpolate the value and other variables
variable "max" {
  default = 5
}
variable "replicas" {
  default = 9
  validation {
    condition     = var.replicas <= var.max
    error_message = "replicas is ${var.replicas}, above ${var.max}"
  }
}
