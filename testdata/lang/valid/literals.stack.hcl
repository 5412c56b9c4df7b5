# true, false and null
locals {
  t = true
  f = false
  n = null
}
