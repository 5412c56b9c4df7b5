# an unterminated string in a nested object, then a block that is fine
container "web" {
  image = "busybox"
  env = {
    A = "open
  }
}
container "db" {
  image = "postgres"
}
