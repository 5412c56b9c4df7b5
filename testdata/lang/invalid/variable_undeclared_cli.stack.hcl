# --var for a variable that is not declared
variable "port" {
  default = 1
}
