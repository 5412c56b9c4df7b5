# a container has one health block
container "web" {
  image = "busybox"
  health {
    tcp = 80
  }
  health {
    tcp = 81
  }
}
