# cidr* functions, IPv4 and IPv6
locals {
  a = cidrsubnet("10.0.0.0/16", 8, 2)
  b = cidrhost("10.0.0.0/24", 5)
  c = cidrhost("10.0.0.0/24", -2)
  d = cidrnetmask("10.0.0.0/20")
  e = cidrsubnet("fd00::/48", 16, 1)
}
