# ... may only follow the last argument
locals {
  a = max([1, 2]..., 3)
}
