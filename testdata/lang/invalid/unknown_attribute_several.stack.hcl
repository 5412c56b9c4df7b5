# several unknown attributes are reported together
container "web" {
  image   = "busybox"
  comand  = ["sh"]
  enviro  = {}
}
