container "web" {
  for_each = toset(["blue", "green"])
  image    = "busybox"
  env = {
    COLOR = each.key
  }
}
output "green" {
  value = container.web["green"].name
}
