# volumes have no size
volume "data" {
  driver = "local"
  size   = "10GiB"
}
