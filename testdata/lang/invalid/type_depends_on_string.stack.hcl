# depends_on takes references
container "web" {
  image      = "busybox"
  depends_on = ["container.db"]
}
