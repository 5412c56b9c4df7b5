# name overrides the runtime name; the same name may be used by resources of different kinds
network "web" {
  name = "shared-web"
}
volume "web" {}
container "web" {
  image    = "busybox"
  name     = "frontend"
  networks = [network.web]
}
container "worker" {
  count = 2
  image = "busybox"
  name  = "job-${count.index + 1}"
}
output "names" {
  value = {
    network   = network.web.name
    volume    = volume.web.name
    container = container.web.name
    workers   = container.worker[*].name
  }
}
