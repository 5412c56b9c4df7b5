# host_ip is an IP address
container "web" {
  image = "busybox"
  port {
    container = 80
    host_ip   = "localhost:1"
  }
}
