# a conditional needs a bool
locals {
  a = "yes" ? 1 : 2
}
