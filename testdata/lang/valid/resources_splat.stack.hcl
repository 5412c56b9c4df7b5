# counted and for_each resources read with splats, indexes, keys and values()
container "worker" {
  count = 2
  image = "busybox"
  name  = "worker-${count.index}"
}
container "site" {
  for_each = { blog = 8081, shop = 8082 }
  image    = "busybox"
  port {
    host      = each.value
    container = 80
  }
}
output "worker_names" {
  value = container.worker[*].name
}
output "worker_addresses" {
  value = [for w in container.worker : w.address]
}
output "second" {
  value = container.worker[1].name
}
output "site_names" {
  value = values(container.site)[*].name
}
output "site_ports" {
  value = { for k, s in container.site : k => s.port[0].host }
}
output "shop" {
  value = container.site["shop"].address
}
