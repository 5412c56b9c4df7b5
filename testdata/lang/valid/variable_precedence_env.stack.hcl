# precedence: the environment beats the default; typed values parse as HCL
variable "port" {
  type    = number
  default = 1
}
variable "tags" {
  type = list(string)
}
variable "raw" {}
