# an attribute set twice
container "web" {
  image = "a"
  image = "b"
}
