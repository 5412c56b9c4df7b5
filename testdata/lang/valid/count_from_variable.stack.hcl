# count from a variable given on the command line
variable "replicas" {
  type    = number
  default = 1
}
container "worker" {
  count   = var.replicas
  image   = "busybox"
  command = ["work", tostring(count.index)]
}
