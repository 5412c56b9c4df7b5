# an environment value that is not a list of numbers
variable "ports" {
  type = list(number)
}
