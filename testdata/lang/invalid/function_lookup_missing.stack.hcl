# lookup without a default of a missing key
locals {
  a = lookup({ a = 1 }, "b")
}
