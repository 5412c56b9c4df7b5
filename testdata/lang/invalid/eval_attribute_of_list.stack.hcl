# a list has no attributes
locals {
  a = [{ n = 1 }].n
}
