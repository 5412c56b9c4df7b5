# ports are 0 to 65535
container "web" {
  image = "busybox"
  port {
    host      = 70000
    container = 80
  }
}
