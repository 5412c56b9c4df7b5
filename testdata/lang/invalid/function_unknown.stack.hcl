# a misspelled function
locals {
  a = uppr("x")
}
