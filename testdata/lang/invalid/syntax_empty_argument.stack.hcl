# a function call with an empty argument
locals {
  a = max(1, , 2)
}
