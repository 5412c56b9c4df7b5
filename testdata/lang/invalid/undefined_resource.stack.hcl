# an image that is not declared
image "app" {
  ref = "a"
}
container "web" {
  image = image.ap
}
