# an invalid regular expression
locals {
  a = regex("(", "x")
}
