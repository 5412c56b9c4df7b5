# identifiers may contain dashes: local.a-b is one name, not a subtraction
locals {
  a-b     = 10
  b       = 3
  same    = local.a-b
  minus   = local.a-b - local.b
  _under  = "ok"
  x_1-y_2 = local._under
}
container "web-1" {
  image = "busybox"
}
output "name" {
  value = container.web-1.name
}
