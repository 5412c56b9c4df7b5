# two containers publishing the same port
container "a" {
  image = "busybox"
  port {
    host      = 8080
    container = 80
  }
}
container "b" {
  image = "busybox"
  port {
    host      = 8080
    container = 80
  }
}
