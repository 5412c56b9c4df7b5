# not a type, with a did-you-mean
variable "x" {
  type    = strnig
  default = "a"
}
