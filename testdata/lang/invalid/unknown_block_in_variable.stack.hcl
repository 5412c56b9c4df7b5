# variable blocks hold validation blocks only
variable "x" {
  default = 1
  check {
    condition = true
  }
}
