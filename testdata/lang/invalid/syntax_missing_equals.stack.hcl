# an attribute without =
locals {
  a 1
}
