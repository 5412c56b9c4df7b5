# the number of member containers
quota "team" {
  containers = 2
  default {
    memory = "64MiB"
  }
}
container "web" {
  count = 3
  image = "busybox"
  quota = quota.team
}
