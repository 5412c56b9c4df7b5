# a closing parenthesis with no opening one
locals {
  a = 1)
}
