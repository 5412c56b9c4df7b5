# without a stack block, a directory stack is named after the directory
locals {
  name = stack.name
  dir  = path.stack
  conf = "${path.stack}/app.conf"
}
service "api" {
  image    = "busybox"
  replicas = 2
}
output "service_name" {
  value = service.api.name
}
