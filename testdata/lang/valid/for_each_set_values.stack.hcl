# for a set, each.value is the same as each.key
volume "data" {
  for_each = toset(["db", "cache"])
  labels = {
    key   = each.key
    value = each.value
    same  = tostring(each.key == each.value)
  }
}
output "names" {
  value = [for v in volume.data : v.name]
}
