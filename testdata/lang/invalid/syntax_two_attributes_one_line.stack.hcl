# two attributes on one line
locals {
  a = 1 b = 2
}
