# a misspelled provider setting
provider "docker" {
  hots = "unix:///var/run/docker.sock"
}
