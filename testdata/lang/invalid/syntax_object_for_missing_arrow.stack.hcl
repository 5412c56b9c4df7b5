# an object for expression needs key => value
locals {
  a = { for x in ["a"] : x }
}
