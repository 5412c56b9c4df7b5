# two containers with the same runtime name
container "a" {
  image = "busybox"
  name  = "web"
}
container "b" {
  image = "busybox"
  name  = "web"
}
