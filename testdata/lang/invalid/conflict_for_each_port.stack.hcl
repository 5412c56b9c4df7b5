# every for_each instance publishes the same host port
container "site" {
  for_each = toset(["blog", "shop"])
  image    = "busybox"
  port {
    host      = 80
    container = 80
  }
}
