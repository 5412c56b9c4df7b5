# on swarm, networks may use the overlay driver
stack "mesh" {
  provider = "swarm"
}
provider "swarm" {}
network "mesh" {
  driver   = "overlay"
  internal = false
}
service "api" {
  image    = "busybox"
  replicas = 3
  networks = [network.mesh]
}
