# two containers with one name
container "web" {
  image = "a"
}
container "web" {
  image = "b"
}
