# a resource that refers to itself
container "a" {
  image   = "busybox"
  command = [container.a.name]
}
