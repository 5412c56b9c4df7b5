# replace_triggered_by and a reference that close a loop
container "a" {
  image = "busybox"
  env   = { B = container.b.name }
}
container "b" {
  image = "busybox"
  lifecycle {
    replace_triggered_by = [container.a]
  }
}
