# precedence: --var-file beats the environment; the later file wins
variable "port" {
  type    = number
  default = 1
}
variable "name" {
  default = "d"
}
