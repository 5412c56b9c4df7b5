# a container has one resources block
container "web" {
  image = "a"
  resources {
    memory = "64MiB"
  }
  resources {
    cpus = 1
  }
}
