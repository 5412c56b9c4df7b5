# cidrsubnet beyond the address space
locals {
  a = cidrsubnet("10.0.0.0/30", 4, 1)
}
