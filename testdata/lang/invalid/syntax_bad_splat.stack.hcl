# [*] is the only splat index
locals {
  a = b[**]
}
