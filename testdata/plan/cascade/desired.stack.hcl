stack "shop" {}

network "backend" {
  subnet = "10.90.0.0/24"
}

container "db" {
  image    = "postgres:16"
  networks = [network.backend]
}

container "app" {
  image    = "busybox"
  networks = [network.backend]
  lifecycle {
    replace_triggered_by = [container.db]
  }
}

container "other" {
  image    = "busybox"
  networks = []
}
