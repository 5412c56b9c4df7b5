# a quota that is not declared
container "web" {
  image = "busybox"
  quota = quota.team
}
