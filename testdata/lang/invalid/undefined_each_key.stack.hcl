# each.key outside for_each
container "web" {
  image = "busybox"
  name  = "web-${each.key}"
}
