# a service needs an image
service "api" {
  replicas = 2
}
