# labels is a map of strings
container "web" {
  image  = "busybox"
  labels = ["team=web"]
}
