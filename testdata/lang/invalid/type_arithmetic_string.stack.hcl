# arithmetic needs numbers
locals {
  a = "a" + 1
}
