# replicas belongs to services, not containers
container "web" {
  image    = "busybox"
  replicas = 2
}
