# path has only path.stack
locals {
  a = path.module
}
