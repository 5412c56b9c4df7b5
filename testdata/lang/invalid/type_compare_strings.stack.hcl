# < compares numbers only
locals {
  a = "a" < "b"
}
