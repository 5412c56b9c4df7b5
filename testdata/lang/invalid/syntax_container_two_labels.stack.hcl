# resources take exactly one label
container "a" "b" {
  image = "x"
}
