# the native provider cannot build Dockerfiles
image "app" {
  build {
    context = "./app"
  }
}
