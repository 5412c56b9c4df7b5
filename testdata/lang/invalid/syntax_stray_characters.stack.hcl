# a character that starts nothing
locals {
  a = 1
}
@
