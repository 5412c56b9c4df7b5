# a service with port, health and update blocks; service.replicas
image "api" {
  ref = "api:2"
}
service "api" {
  image    = image.api
  replicas = 3
  port {
    host      = 8080
    container = 8080
  }
  health {
    tcp = 8080
  }
  update {
    parallelism       = 1
    order             = "start-first"
    delay             = "2s"
    monitor           = "5s"
    failure_action    = "rollback"
    max_failure_ratio = 0
  }
}
output "replicas" {
  value = service.api.replicas
}
