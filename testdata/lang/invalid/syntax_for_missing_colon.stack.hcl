# a for expression needs : before its result
locals {
  a = [for x in [1, 2] x * 2]
}
