# two networks with the same runtime name
network "a" {
  name = "shared"
}
network "b" {
  name = "shared"
}
