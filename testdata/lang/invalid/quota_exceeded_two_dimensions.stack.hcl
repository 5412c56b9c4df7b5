# memory and cpus both exceeded: one diagnostic per dimension
quota "team" {
  cpus   = 1
  memory = "128MiB"
}
container "web" {
  image = "busybox"
  quota = quota.team
  resources {
    cpus   = 2
    memory = "256MiB"
  }
}
