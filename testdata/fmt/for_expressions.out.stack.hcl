locals {
  upper    = [for s in var.list : upper(s)]
  filtered = [for i, s in var.list : s if i > 0]
  by_key   = {for k, v in var.map : k => v}
  grouped  = {for x in var.items : x.kind => x.name...}
  spread = [
    for name, svc in var.services :
    {
      name = name
      port = svc.port
    }
    if svc.enabled
  ]
  obj = {
    for k, v in var.m :
    k => {
      value = v
    }
  }
}
