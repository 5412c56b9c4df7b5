# a secret needs a value
container "web" {
  image = "busybox"
  secret {
    target = "/run/secrets/db"
  }
}
