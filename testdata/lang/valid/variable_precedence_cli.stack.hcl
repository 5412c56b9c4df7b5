# precedence: --var beats --var-file, the environment and the default
variable "port" {
  type    = number
  default = 1
}
