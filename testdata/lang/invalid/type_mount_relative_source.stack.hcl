# relative mount sources start with ./
container "web" {
  image = "busybox"
  mount {
    source = "../data"
    target = "/data"
  }
}
