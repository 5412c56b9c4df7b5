# a resource kind from another tool
pod "web" {
  image = "busybox"
}
