# a port collision does not print a sensitive port
variable "port" {
  default   = 8443
  sensitive = true
}
container "a" {
  image = "busybox"
  port {
    host      = var.port
    container = 80
  }
}
container "b" {
  image = "busybox"
  port {
    host      = var.port
    container = 80
  }
}
