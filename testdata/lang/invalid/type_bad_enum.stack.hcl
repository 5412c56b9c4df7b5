# restart takes one of four values
container "web" {
  image   = "busybox"
  restart = "sometimes"
}
