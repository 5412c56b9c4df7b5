# a tmpfs target is an absolute path
container "web" {
  image = "busybox"
  tmpfs {
    target = "tmp"
  }
}
