# two networks with one name
network "back" {}
network "back" {
  internal = true
}
