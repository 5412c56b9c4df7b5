# count is a whole number
container "web" {
  count = 1.5
  image = "busybox"
}
