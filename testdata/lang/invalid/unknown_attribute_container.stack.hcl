# a misspelled container attribute
container "web" {
  image   = "busybox"
  comand  = ["sh"]
}
