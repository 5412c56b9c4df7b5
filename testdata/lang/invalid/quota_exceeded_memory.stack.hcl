# members need more memory than the quota allows
quota "team" {
  memory = "256MiB"
}
container "a" {
  image = "busybox"
  quota = quota.team
  resources {
    memory = "200MiB"
  }
}
container "b" {
  image = "busybox"
  quota = quota.team
  resources {
    memory = "100MiB"
  }
}
