# a counted resource is a list: pick an instance first
container "worker" {
  count = 2
  image = "busybox"
}
output "name" {
  value = container.worker.name
}
