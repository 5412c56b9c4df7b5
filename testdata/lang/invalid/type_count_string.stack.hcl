# count must be a whole number
container "web" {
  count = "x"
  image = "busybox"
}
