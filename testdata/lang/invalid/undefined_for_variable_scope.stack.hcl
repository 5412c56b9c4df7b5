# a for expression's variable is not visible outside it
locals {
  a = [for x in [1, 2] : x]
  b = x
}
