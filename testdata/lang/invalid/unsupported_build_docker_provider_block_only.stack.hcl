# a provider "docker" block does not select docker: the provider is still native
provider "docker" {
  host = "unix:///var/run/docker.sock"
}
image "app" {
  build {
    context = "./app"
  }
}
