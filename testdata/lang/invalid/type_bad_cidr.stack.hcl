# not a CIDR
network "n" {
  subnet = "10.0.0.0/33"
}
