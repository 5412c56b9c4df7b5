# the API service, its quota and the output
image "api" {
  ref = "shop/api:1.4"
}

quota "shop" {
  cpus   = 4
  memory = "2GiB"
  default {
    cpus   = 0.5
    memory = "256MiB"
  }
}

service "api" {
  image      = image.api
  replicas   = var.replicas
  networks   = [network.frontend, network.backend]
  depends_on = [container.db]
  quota      = quota.shop
  env = {
    DB_HOST = container.db.name
  }
  port {
    host      = 8080
    container = 8080
  }
  health {
    http = "http://127.0.0.1:8080/health"
  }
  update {
    order = "start-first"
  }
}

output "url" {
  value = "http://127.0.0.1:${service.api.port[0].host}"
}
