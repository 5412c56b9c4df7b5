# an instance key that for_each does not produce
container "site" {
  for_each = toset(["blog", "shop"])
  image    = "busybox"
}
output "name" {
  value = container.site["wiki"].name
}
