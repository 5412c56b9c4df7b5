# cidrhost() beyond the subnet
locals {
  a = cidrhost("10.0.0.0/30", 9)
}
