# a port block needs the container port
container "web" {
  image = "busybox"
  port {
    host = 8080
  }
}
