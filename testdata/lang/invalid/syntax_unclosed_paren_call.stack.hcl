# a call missing its )
locals {
  a = upper("x"
}
