# a network that is not declared
container "web" {
  image    = "busybox"
  networks = [network.backend]
}
