# a second container "web" in another file of the same stack
container "web" {
  image = "nginx"
}
