# a health check needs one probe: exec, http or tcp
container "web" {
  image = "busybox"
  health {
    interval = "5s"
  }
}
