# a relative mount source must start with ./, with a did-you-mean
container "web" {
  image = "busybox"
  mount {
    source = "data"
    target = "/data"
  }
}
