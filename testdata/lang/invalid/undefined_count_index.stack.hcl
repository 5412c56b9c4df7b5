# count.index outside a counted resource
container "web" {
  image = "busybox"
  name  = "web-${count.index}"
}
