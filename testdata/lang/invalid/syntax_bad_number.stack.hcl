# 1.2.3 is not a number
locals {
  a = 1.2.3
}
