# a --var value that is not an expression of the variable's type is one error, not two
variable "port" {
  type = number
}
