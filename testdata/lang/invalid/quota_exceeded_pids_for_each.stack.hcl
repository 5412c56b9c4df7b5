# for_each instances each count
quota "team" {
  pids = 150
}
container "job" {
  for_each = toset(["a", "b"])
  image    = "busybox"
  quota    = quota.team
  resources {
    pids = 100
  }
}
