# a member without a memory limit when the quota limits memory
quota "team" {
  memory = "1GiB"
}
container "web" {
  image = "busybox"
  quota = quota.team
}
