# == is a comparison, not an assignment
locals {
  a == 1
}
