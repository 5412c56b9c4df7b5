# list indexes are whole numbers
locals {
  a = [1, 2][0.5]
}
