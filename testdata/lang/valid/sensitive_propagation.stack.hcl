# anything derived from a sensitive value is sensitive; a secret's value always is
variable "token" {
  type      = string
  default   = "tok-123456"
  sensitive = true
}
locals {
  header   = "Bearer ${var.token}"
  parts    = split("-", var.token)
  chosen   = true ? var.token : "none"
  in_list  = [var.token, "public"]
  in_for   = [for c in ["a"] : "${c}${var.token}"]
  hashed   = sha256(var.token)
  unrelated = upper("public")
}
container "client" {
  image = "busybox"
  env = {
    TOKEN  = var.token
    PUBLIC = "yes"
  }
  secret {
    target = "/run/secrets/literal"
    value  = "not-from-a-variable"
  }
}
output "header" {
  value = local.header
}
output "public" {
  value = local.unrelated
}
