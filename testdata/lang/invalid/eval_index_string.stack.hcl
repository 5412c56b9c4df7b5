# a string cannot be indexed
locals {
  a = "abc"[0]
}
