# two containers joining each other's network namespace
container "a" {
  image        = "busybox"
  network_mode = container.b
}
container "b" {
  image        = "busybox"
  network_mode = container.a
}
