# a service with container attributes on its replica template, update policy and scale to zero
image "api" {
  ref  = "shop/api:2"
  pull = "always"
}
network "front" {}
service "api" {
  image      = image.api
  replicas   = 4
  networks   = [network.front]
  aliases    = ["backend"]
  env        = { MODE = "prod" }
  command    = ["serve", "--port", "8080"]
  restart    = "always"
  stop_signal  = "SIGQUIT"
  stop_timeout = "1m30s"
  port {
    host      = 8080
    container = 8080
    host_ip   = "127.0.0.1"
  }
  health {
    http         = "http://127.0.0.1:8080/ready"
    interval     = "250ms"
    timeout      = 2
    retries      = 5
    start_period = "1m"
    on_unhealthy = "ignore"
  }
  resources {
    cpus   = "250m"
    memory = "1.5GiB"
  }
  update {
    parallelism       = 2
    order             = "stop-first"
    delay             = "0s"
    monitor           = "10s"
    failure_action    = "pause"
    max_failure_ratio = 0.25
  }
}
service "standby" {
  image    = image.api
  replicas = 0
}
output "replicas" {
  value = [service.api.replicas, service.standby.replicas]
}
