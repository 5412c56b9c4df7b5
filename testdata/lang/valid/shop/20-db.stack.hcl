# the database with a secret, a mount, health and limits
image "postgres" {
  ref = "postgres:16-alpine"
}

container "db" {
  image    = image.postgres
  networks = [network.backend]
  env = {
    POSTGRES_DB = "shop"
  }
  secret {
    target = "/run/secrets/db"
    value  = var.db_password
  }
  mount {
    source = volume.pgdata
    target = "/var/lib/postgresql/data"
  }
  health {
    exec     = ["pg_isready"]
    interval = "5s"
  }
  quota = quota.shop
  resources {
    memory = "512MiB"
    cpus   = 1
  }
}
