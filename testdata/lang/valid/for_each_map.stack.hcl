# for_each over a map: each.value in a nested block
locals {
  sites = {
    shop = { port = 8081 }
    blog = { port = 8082 }
  }
}
container "site" {
  for_each = local.sites
  image    = "busybox"
  port {
    host      = each.value.port
    container = 80
  }
}
