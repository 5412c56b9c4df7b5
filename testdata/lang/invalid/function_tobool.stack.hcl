# tobool() of a string that is not true or false
locals {
  a = tobool("yes")
}
