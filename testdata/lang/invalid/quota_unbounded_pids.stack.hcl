# pids constrained but not given
quota "team" {
  pids = 100
  default {
    memory = "64MiB"
  }
}
container "web" {
  image = "busybox"
  quota = quota.team
}
