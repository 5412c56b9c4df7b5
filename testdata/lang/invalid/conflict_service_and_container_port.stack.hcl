# a service and a container publishing the same port
container "a" {
  image = "busybox"
  port {
    host      = 8080
    container = 80
  }
}
service "s" {
  image    = "busybox"
  replicas = 3
  port {
    host      = 8080
    container = 80
  }
}
