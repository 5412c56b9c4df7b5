# a file mode is octal
container "web" {
  image = "busybox"
  file {
    target  = "/etc/app.conf"
    content = "x"
    mode    = "0999"
  }
}
