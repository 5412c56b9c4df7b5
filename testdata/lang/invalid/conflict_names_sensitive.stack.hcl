# a name collision does not print a sensitive name
variable "name" {
  default   = "secret-name"
  sensitive = true
}
container "a" {
  image = "busybox"
  name  = var.name
}
container "b" {
  image = "busybox"
  name  = var.name
}
