# resource names are identifiers
container "my web" {
  image = "busybox"
}
