# a misspelled health attribute
container "web" {
  image = "busybox"
  health {
    tcp       = 80
    intervall = "5s"
  }
}
