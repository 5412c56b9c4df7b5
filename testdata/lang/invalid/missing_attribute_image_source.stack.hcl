# an image needs a source
image "app" {
  pull = "always"
}
