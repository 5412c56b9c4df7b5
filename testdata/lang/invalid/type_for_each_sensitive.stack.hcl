# for_each keys become instance addresses and names, so they cannot be sensitive
variable "tenants" {
  default   = ["acme", "globex"]
  sensitive = true
}
container "app" {
  for_each = toset(var.tenants)
  image    = "busybox"
}
