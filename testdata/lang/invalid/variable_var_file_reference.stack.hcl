# a variable file value must be a constant; the bad value is one error, not two
variable "port" {
  type = number
}
