# list indexes are not negative
locals {
  a = [1, 2][-1]
}
