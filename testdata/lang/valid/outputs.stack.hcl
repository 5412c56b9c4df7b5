# outputs, with a description and sensitive = true
locals {
  port = 8080
}
output "url" {
  value       = "http://127.0.0.1:${local.port}/"
  description = "where it answers"
}
output "secret" {
  value     = "x"
  sensitive = true
}
