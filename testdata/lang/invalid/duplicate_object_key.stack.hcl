# an object key repeated
locals {
  a = { x = 1, x = 2 }
}
