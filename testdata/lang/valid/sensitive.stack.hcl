# a sensitive variable and what is derived from it print as (sensitive)
variable "password" {
  type      = string
  default   = "hunter2hunter2"
  sensitive = true
}
locals {
  dsn    = "postgres://app:${var.password}@db/app"
  length = length(var.password)
  plain  = "no secret here"
}
output "dsn" {
  value = local.dsn
}
