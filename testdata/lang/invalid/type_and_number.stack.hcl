# && needs bools
locals {
  a = 1 && true
}
