# --provider docker overrides the stack's provider, so a Dockerfile build is allowed
stack "builder" {
  provider = "native"
}
image "app" {
  build {
    context    = "./app"
    dockerfile = "Dockerfile.prod"
    args = {
      VERSION = "2.0"
    }
    target = "runtime"
  }
}
container "app" {
  image = image.app
}
