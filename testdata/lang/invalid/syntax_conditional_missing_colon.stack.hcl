# a conditional needs : and a second value
locals {
  a = true ? 1
}
