# two containers that refer to each other
container "a" {
  image   = "busybox"
  command = [container.b.name]
}
container "b" {
  image   = "busybox"
  command = [container.a.name]
}
