# an image has one source
image "app" {
  ref = "a"
  dir = "./b"
}
