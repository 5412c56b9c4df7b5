# members within the ceilings: a service counts replicas x limits, defaults fill gaps
quota "team" {
  cpus       = 2
  memory     = "1GiB"
  pids       = 500
  containers = 5
  default {
    cpus   = "250m"
    memory = "128MiB"
    pids   = 50
  }
}
service "api" {
  image    = "busybox"
  replicas = 3
  quota    = quota.team
  resources {
    cpus   = 0.5
    memory = "256MiB"
  }
}
container "cron" {
  image = "busybox"
  quota = quota.team
}
container "free" {
  image = "busybox"
}
