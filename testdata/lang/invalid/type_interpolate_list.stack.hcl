# a list cannot be part of a string
locals {
  a = "x${[1, 2]}y"
}
