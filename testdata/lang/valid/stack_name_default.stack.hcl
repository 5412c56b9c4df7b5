# without a stack block, a single file's stack is named after its directory ("valid")
locals {
  name = stack.name
}
container "web" {
  image = "busybox"
}
output "runtime_name" {
  value = container.web.name
}
