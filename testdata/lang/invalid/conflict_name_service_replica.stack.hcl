# a container named like a replica of a service (<stack>-<name>-<n>)
service "api" {
  image    = "busybox"
  replicas = 2
}
container "c" {
  image = "busybox"
  name  = "invalid-api-1"
}
