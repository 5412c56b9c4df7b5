# the quota over every container and replica
quota "jobs" {
  memory     = "2GiB"
  pids       = 1000
  containers = 10
  default {
    memory = "64MiB"
    pids   = 100
  }
}

output "workers" {
  value = { for q, s in service.worker : q => s.replicas }
}
