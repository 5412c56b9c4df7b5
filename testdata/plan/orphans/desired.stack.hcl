stack "shop" {}

network "backend" {
  subnet = "10.89.0.0/24"
}
