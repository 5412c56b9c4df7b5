# depends_on in both directions
container "a" {
  image      = "busybox"
  depends_on = [container.b]
}
container "b" {
  image      = "busybox"
  depends_on = [container.a]
}
