# a --var-file that does not exist
variable "port" {
  default = 80
}
