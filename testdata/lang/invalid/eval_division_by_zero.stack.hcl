# division by zero
locals {
  a = 1 / 0
}
