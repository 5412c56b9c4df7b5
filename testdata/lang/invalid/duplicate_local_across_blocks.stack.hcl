# local names are unique across locals blocks
locals {
  a = 1
}
locals {
  a = 2
}
