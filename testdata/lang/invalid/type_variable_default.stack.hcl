# the default does not match the type
variable "port" {
  type    = number
  default = "eighty"
}
