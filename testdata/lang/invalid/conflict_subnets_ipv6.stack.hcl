# overlapping IPv6 subnets
network "a" {
  subnet = "fd00:1::/32"
}
network "b" {
  subnet = "fd00:1:2::/64"
}
