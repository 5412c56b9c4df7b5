# a block label missing its closing quote
container "web {
  image = "busybox"
}
