# each.value outside for_each
container "web" {
  count = 2
  image = each.value
}
