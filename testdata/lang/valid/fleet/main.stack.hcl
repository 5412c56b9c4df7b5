# for_each over a map of services, with values from a variable file.
variable "services" {
  type = map(object({
    image    = string
    replicas = optional(number, 1)
    port     = number
  }))
}

service "svc" {
  for_each = var.services
  image    = each.value.image
  replicas = each.value.replicas
  port {
    host      = each.value.port
    container = 80
  }
}

output "names" {
  value = { for k, s in service.svc : k => s.name }
}
