# object items on one line need commas
locals {
  a = { x = 1 y = 2 }
}
