# every member without a limit is reported
quota "team" {
  memory = "1GiB"
}
container "a" {
  image = "busybox"
  quota = quota.team
}
container "b" {
  image = "busybox"
  quota = quota.team
}
