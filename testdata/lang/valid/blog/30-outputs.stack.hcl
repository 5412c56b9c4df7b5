# outputs
output "url" {
  value       = local.site_url
  description = "the public address"
}

output "proxy_port" {
  value = container.proxy.port[0].host
}
