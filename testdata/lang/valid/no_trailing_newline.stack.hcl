# the last line of this file has no newline
locals {
  a = 1
}
container "web" {
  image = "busybox"
}