# an http probe takes an http:// URL
container "web" {
  image = "busybox"
  health {
    http = "localhost/health"
  }
}
