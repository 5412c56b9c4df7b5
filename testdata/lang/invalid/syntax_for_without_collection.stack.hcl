# a for expression needs a collection
locals {
  a = [for x in : x]
}
