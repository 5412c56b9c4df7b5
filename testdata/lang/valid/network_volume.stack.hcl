# every network and volume attribute
network "backend" {
  driver   = "bridge"
  subnet   = "10.89.0.0/24"
  gateway  = "10.89.0.1"
  internal = true
  labels   = { tier = "data" }
}
volume "data" {
  driver = "local"
  labels = { keep = "yes" }
}
