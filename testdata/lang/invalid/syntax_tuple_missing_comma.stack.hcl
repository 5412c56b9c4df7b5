# tuple elements on one line need commas
locals {
  a = [1 2]
}
