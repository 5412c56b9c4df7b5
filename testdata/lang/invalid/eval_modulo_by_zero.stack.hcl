# modulo by zero
locals {
  a = 5 % 0
}
