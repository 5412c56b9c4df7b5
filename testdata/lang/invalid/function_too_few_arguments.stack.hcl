# max() needs at least one argument
locals {
  a = max()
}
