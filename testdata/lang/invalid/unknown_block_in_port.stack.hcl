# port blocks hold attributes only
container "web" {
  image = "busybox"
  port {
    container = 80
    range {
      from = 1
    }
  }
}
