# a service without a cpu limit in a quota that constrains cpus
quota "team" {
  cpus = 2
  default {
    memory = "64MiB"
  }
}
service "api" {
  image    = "busybox"
  replicas = 2
  quota    = quota.team
}
