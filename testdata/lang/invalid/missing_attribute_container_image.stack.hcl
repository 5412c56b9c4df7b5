# a container needs an image
container "web" {
  command = ["sh"]
}
