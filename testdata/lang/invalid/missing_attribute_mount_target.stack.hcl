# a mount needs a target
volume "data" {}
container "web" {
  image = "busybox"
  mount {
    source = volume.data
  }
}
