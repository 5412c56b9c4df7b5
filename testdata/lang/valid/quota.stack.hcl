# a quota with every dimension and a default block; members within it
quota "team" {
  cpus       = 4
  memory     = "2GiB"
  pids       = 1000
  containers = 20
  default {
    cpus   = 0.5
    memory = "256MiB"
    pids   = 100
  }
}
container "a" {
  image = "busybox"
  quota = quota.team
}
service "b" {
  image    = "busybox"
  replicas = 2
  quota    = quota.team
  resources {
    memory = "512MiB"
  }
}
