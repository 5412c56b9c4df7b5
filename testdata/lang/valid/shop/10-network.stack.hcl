# networks and a volume
network "frontend" {}

network "backend" {
  subnet   = "10.42.0.0/24"
  internal = true
}

volume "pgdata" {}
