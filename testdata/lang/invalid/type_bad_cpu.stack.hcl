# cpus must be a number or millicores
container "web" {
  image = "busybox"
  resources {
    cpus = "fast"
  }
}
