# start-first updates count surge replicas
quota "team" {
  memory = "512MiB"
}
service "api" {
  image    = "busybox"
  replicas = 2
  quota    = quota.team
  resources {
    memory = "200MiB"
  }
  update {
    order = "start-first"
  }
}
