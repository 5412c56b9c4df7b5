# networks is a list of network references
network "n" {}
container "web" {
  image    = "busybox"
  networks = network.n
}
