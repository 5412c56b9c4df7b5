# nothing after =
locals {
  a =
}
