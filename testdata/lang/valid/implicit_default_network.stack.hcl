# containers without networks join the implicit default network
container "a" {
  image = "busybox"
}
container "b" {
  image   = "busybox"
  command = ["ping", container.a.name]
}
