variable "port" {
  type    = number
  default = 1
}
variable "name" {
  default = "d"
}
