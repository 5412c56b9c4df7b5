# ... expands a list
locals {
  a = min(1...)
}
