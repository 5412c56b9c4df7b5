# upper() takes one argument
locals {
  a = upper("a", "b")
}
