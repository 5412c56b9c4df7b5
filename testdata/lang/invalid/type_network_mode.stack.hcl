# an unknown network mode, with a did-you-mean
container "web" {
  image        = "busybox"
  network_mode = "bridged"
}
