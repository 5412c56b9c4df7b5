stack "shop" {}

network "backend" {
  subnet = "10.89.0.0/24"
}

volume "data" {}

container "web" {
  image    = "busybox:1.36"
  command  = ["httpd", "-f", "-p", "80"]
  networks = [network.backend]
  env      = { MODE = "prod", "app.name" = "web" }

  port {
    host      = 8080
    container = 80
  }

  mount {
    source = volume.data
    target = "/data"
  }

  resources {
    memory = "256MiB"
    cpus   = 0.5
  }
}
