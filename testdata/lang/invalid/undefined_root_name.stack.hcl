# an unknown name
locals {
  a = vars.x
}
