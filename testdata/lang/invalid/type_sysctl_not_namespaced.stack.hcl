# only namespaced sysctls can be set per container
container "web" {
  image   = "busybox"
  sysctls = { "vm.swappiness" = "10" }
}
