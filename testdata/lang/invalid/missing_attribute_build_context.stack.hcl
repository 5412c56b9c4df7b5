# a build needs a context
image "app" {
  build {
    dockerfile = "Dockerfile"
  }
}
