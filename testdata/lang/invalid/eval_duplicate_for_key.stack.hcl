# an object for expression with repeated keys
locals {
  a = { for x in ["a", "a"] : x => 1 }
}
