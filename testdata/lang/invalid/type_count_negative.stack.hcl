# count cannot be negative
container "web" {
  count = -1
  image = "busybox"
}
