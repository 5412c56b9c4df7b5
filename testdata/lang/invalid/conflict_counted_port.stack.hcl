# every instance of a counted container publishes the same port
container "web" {
  count = 2
  image = "busybox"
  port {
    host      = 8080
    container = 80
  }
}
