# not a type
variable "x" {
  type = strnig
}
