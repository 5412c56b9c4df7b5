# one provider block per provider
provider "docker" {
  host = "unix:///var/run/docker.sock"
}
provider "docker" {
  host = "tcp://127.0.0.1:2375"
}
