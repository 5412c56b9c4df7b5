variable "port" {
  type    = number
  default = 1
}
variable "tags" {
  type = list(string)
}
variable "raw" {}
