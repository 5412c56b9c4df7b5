# jsondecode of text that is not JSON
locals {
  a = jsondecode("{nope")
}
