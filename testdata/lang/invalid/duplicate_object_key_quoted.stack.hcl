# an identifier key and a string key with the same text
locals {
  a = {
    name   = "x"
    "name" = "y"
  }
}
