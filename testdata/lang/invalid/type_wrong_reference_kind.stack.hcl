# an image where a network is expected
image "app" {
  ref = "a"
}
container "web" {
  image    = "busybox"
  networks = [image.app]
}
