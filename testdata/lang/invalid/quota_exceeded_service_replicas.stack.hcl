# a service counts replicas times its limits
quota "team" {
  cpus = 2
}
service "api" {
  image    = "busybox"
  replicas = 5
  quota    = quota.team
  resources {
    cpus = 0.5
  }
}
