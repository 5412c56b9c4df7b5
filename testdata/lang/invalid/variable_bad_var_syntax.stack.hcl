# --var needs NAME=VALUE
variable "port" {
  default = 1
}
