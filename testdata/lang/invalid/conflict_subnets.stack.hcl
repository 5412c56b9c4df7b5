# overlapping subnets
network "a" {
  subnet = "10.10.0.0/16"
}
network "b" {
  subnet = "10.10.5.0/24"
}
