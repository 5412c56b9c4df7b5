# tcp or udp
container "web" {
  image = "busybox"
  port {
    container = 80
    protocol  = "sctp2"
  }
}
