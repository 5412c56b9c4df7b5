# count and for_each together
container "web" {
  count    = 2
  for_each = toset(["a"])
  image    = "busybox"
}
