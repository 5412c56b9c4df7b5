# a port is a number
container "web" {
  image = "busybox"
  port {
    container = "http"
  }
}
