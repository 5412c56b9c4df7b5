# the quota's defaults count like limits and can exceed the ceiling
quota "team" {
  memory = "256MiB"
  default {
    memory = "100MiB"
  }
}
container "web" {
  count = 3
  image = "busybox"
  quota = quota.team
}
