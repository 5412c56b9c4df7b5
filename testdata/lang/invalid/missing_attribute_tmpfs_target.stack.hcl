# a tmpfs needs a target
container "web" {
  image = "busybox"
  tmpfs {
    size = "64MiB"
  }
}
