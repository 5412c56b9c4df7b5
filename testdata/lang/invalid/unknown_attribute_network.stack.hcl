# networks have no ports
network "n" {
  subnet = "10.1.0.0/24"
  port   = 80
}
