# with no --var, --var-file or environment value, the default is used
variable "port" {
  type    = number
  default = 1
}
variable "other" {
  type    = number
  default = 0
}
