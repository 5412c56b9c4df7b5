# a file block needs content
container "web" {
  image = "busybox"
  file {
    target = "/etc/app.conf"
  }
}
