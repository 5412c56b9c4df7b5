# the first declaration
container "web" {
  image = "busybox"
}
