# an unterminated string
locals {
  a = "abc
}
