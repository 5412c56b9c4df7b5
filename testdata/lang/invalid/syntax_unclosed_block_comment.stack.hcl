# a /* comment that never ends
/* locals {
  a = 1
}
