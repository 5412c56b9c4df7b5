# a local that reads a resource that reads the local
locals {
  n = container.a.name
}
container "a" {
  image = "busybox"
  env   = { N = local.n }
}
