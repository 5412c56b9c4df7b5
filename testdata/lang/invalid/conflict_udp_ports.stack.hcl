# two containers publishing the same udp port
container "a" {
  image = "busybox"
  port {
    host      = 53
    container = 53
    protocol  = "udp"
  }
}
container "b" {
  image = "busybox"
  port {
    host      = 53
    container = 5353
    protocol  = "udp"
  }
}
