# unary minus needs a number
locals {
  a = -"a"
}
