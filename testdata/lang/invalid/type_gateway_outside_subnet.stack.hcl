# the gateway must be inside the subnet
network "n" {
  subnet  = "10.0.0.0/24"
  gateway = "10.1.0.1"
}
