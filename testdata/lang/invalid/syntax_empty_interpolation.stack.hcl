# ${ } needs an expression
locals {
  a = "x${}y"
}
