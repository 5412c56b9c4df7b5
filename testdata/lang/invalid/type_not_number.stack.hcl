# ! needs a bool
locals {
  a = !1
}
