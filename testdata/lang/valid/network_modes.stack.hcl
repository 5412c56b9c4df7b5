# network_mode host, a container reference, and networks = []
container "base" {
  image        = "busybox"
  network_mode = "host"
}
container "sidecar" {
  image        = "busybox"
  network_mode = container.base
}
container "isolated" {
  image    = "busybox"
  networks = []
}
