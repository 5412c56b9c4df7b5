# an index beyond the list
locals {
  a = [1, 2, 3][5]
}
