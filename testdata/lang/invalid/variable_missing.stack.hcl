# a variable with no value
variable "port" {
  type = number
}
