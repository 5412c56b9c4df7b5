# the stack block chooses the provider; provider blocks hold settings
stack "shop" {
  provider = "docker"
  labels   = { team = "web" }
}
provider "docker" {
  host = "unix:///var/run/docker.sock"
}
provider "native" {
  root = "/var/lib/stackc/native"
}
