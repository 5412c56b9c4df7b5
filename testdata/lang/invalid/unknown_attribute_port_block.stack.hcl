# a misspelled attribute inside a nested block
container "web" {
  image = "busybox"
  port {
    container = 80
    hots      = 8080
  }
}
