# a resource attribute that does not exist
image "app" {
  ref = "a"
}
locals {
  a = image.app.tag
}
