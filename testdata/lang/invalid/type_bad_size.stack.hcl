# 10QB is not a size
container "web" {
  image = "busybox"
  resources {
    memory = "10QB"
  }
}
