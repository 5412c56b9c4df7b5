# count.index in a local
locals {
  a = count.index
}
