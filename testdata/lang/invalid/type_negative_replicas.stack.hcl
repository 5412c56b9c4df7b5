# replicas is a number >= 0
service "api" {
  image    = "busybox"
  replicas = -1
}
