# a block in a variable file is one error; the attributes beside it still count
variable "port" {
  type = number
}
