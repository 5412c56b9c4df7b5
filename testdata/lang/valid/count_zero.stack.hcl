# count = 0 creates no instance; the splat of the resource is empty
container "optional" {
  count = 0
  image = "busybox"
}
output "names" {
  value = container.optional[*].name
}
output "how_many" {
  value = length(container.optional)
}
