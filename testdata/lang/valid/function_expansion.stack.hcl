# a function call with ... expansion of its last argument
locals {
  nums = [3, 9, 1]
  max  = max(local.nums...)
  min  = min(5, local.nums...)
}
