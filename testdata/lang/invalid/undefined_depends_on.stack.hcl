# depends_on names a resource that does not exist
container "web" {
  image      = "busybox"
  depends_on = [container.db]
}
