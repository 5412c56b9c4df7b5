# quota takes a quota reference, not a string
quota "team" {
  memory = "1GiB"
}
container "web" {
  image = "busybox"
  quota = "team"
  resources {
    memory = "64MiB"
  }
}
