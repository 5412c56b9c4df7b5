# a missing variable is reported once, not again where it is used
variable "image" {}
container "web" {
  image = var.image
}
output "img" {
  value = "${var.image}:latest"
}
