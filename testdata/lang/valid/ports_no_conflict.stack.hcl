# the same host port is fine with another protocol or another host address
container "dns_tcp" {
  image = "busybox"
  port {
    host      = 5353
    container = 53
  }
}
container "dns_udp" {
  image = "busybox"
  port {
    host      = 5353
    container = 53
    protocol  = "udp"
  }
}
container "local_a" {
  image = "busybox"
  port {
    host      = 9000
    container = 80
    host_ip   = "127.0.0.1"
  }
}
container "local_b" {
  image = "busybox"
  port {
    host      = 9000
    container = 80
    host_ip   = "127.0.0.2"
  }
}
container "unpublished" {
  image = "busybox"
  port {
    container = 80
  }
}
