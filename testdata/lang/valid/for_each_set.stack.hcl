# for_each over a set: each.key, instance names with -key
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
