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
