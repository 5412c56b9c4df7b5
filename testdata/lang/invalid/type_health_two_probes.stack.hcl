# a health check has exactly one probe
container "web" {
  image = "busybox"
  health {
    exec = ["true"]
    tcp  = 80
  }
}
