# 0.0.0.0 overlaps 127.0.0.1 on the same port
container "a" {
  image = "busybox"
  port {
    host      = 9000
    container = 80
  }
}
container "b" {
  image = "busybox"
  port {
    host      = 9000
    container = 80
    host_ip   = "127.0.0.1"
  }
}
