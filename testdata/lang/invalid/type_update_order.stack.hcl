# update order is stop-first or start-first
service "api" {
  image = "busybox"
  update {
    order = "random"
  }
}
