# 5x is not a duration
container "web" {
  image        = "busybox"
  stop_timeout = "5x"
}
