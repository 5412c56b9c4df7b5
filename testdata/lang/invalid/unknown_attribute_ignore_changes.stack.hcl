# ignore_changes names attributes of the resource
container "web" {
  image = "busybox"
  env   = {}
  lifecycle {
    ignore_changes = [envv]
  }
}
