# a misspelled nested block
container "web" {
  image = "busybox"
  prot {
    container = 80
  }
}
