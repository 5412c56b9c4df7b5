# a for expression cannot iterate over a string
locals {
  a = [for c in "abc" : c]
}
