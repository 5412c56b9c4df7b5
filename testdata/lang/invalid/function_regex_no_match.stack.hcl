# regex() that does not match
locals {
  a = regex("[0-9]+", "abc")
}
