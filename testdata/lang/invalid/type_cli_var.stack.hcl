# a --var value of the wrong type
variable "port" {
  type = number
}
