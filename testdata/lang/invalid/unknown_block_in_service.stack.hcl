# a misspelled nested block of a service
service "api" {
  image = "busybox"
  updte {
    order = "start-first"
  }
}
