# an unknown capability name
container "web" {
  image   = "busybox"
  cap_add = ["NOT_A_CAP"]
}
