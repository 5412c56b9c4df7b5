# a syntax error in the first file
locals {
  a = [1,
}
