# an unknown escape sequence
locals {
  a = "a\qb"
}
