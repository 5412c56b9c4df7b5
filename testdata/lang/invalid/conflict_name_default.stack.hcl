# an explicit name equal to another resource's default runtime name
container "a" {
  image = "busybox"
  name  = "invalid-b"
}
container "b" {
  image = "busybox"
}
