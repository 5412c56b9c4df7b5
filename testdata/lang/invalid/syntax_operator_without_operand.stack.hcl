# a binary operator followed by another
locals {
  a = 1 +* 2
}
