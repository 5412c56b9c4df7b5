# attributes readable on resources: configured ones, .name, .address, .ref, service .replicas
image "app" {
  ref = "app:1.2"
}
network "back" {
  subnet = "10.33.0.0/24"
}
volume "data" {}
quota "team" {
  memory = "1GiB"
}
container "db" {
  image = "postgres:16"
  env = {
    POSTGRES_DB = "app"
  }
  port {
    host      = 5432
    container = 5432
  }
}
service "api" {
  image    = image.app
  replicas = 2
  env = {
    DB_HOST = container.db.name
    DB_NAME = container.db.env.POSTGRES_DB
    DB_PORT = tostring(container.db.port[0].container)
  }
}
output "all" {
  value = {
    image_ref     = image.app.ref
    image_address = image.app.address
    network       = [network.back.name, network.back.subnet, network.back.address]
    volume        = volume.data.name
    quota         = quota.team.memory
    api_replicas  = service.api.replicas
    api_address   = service.api.address
    api_env       = service.api.env.DB_HOST
  }
}
