variable "port" {
  type    = number
  default = 1
}
