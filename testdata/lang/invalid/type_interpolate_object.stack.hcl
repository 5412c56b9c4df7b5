# an object cannot be part of a string
locals {
  a = "config: ${ { a = 1 } }"
}
