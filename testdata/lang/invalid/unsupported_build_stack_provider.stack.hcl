# the stack chooses native explicitly
stack "shop" {
  provider = "native"
}
image "app" {
  build {
    context = "./app"
  }
}
