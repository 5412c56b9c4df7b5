# one lifecycle block per resource
container "web" {
  image = "busybox"
  lifecycle {
    prevent_destroy = true
  }
  lifecycle {
    create_before_destroy = true
  }
}
