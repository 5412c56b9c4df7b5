# an attribute set twice inside a nested block
container "web" {
  image = "busybox"
  port {
    container = 80
    container = 81
  }
}
