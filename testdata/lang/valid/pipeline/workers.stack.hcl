# one service per queue (for_each over a map of objects), a sidecar
service "worker" {
  for_each   = var.queues
  image      = "jobs/app:3"
  command    = ["work", "--queue", each.key]
  replicas   = each.value.workers
  depends_on = [container.migrate]
  quota      = quota.jobs
  env = {
    DATABASE_URL = local.db_url
    QUEUE        = each.key
  }
  resources {
    memory = each.value.memory
  }
}

container "metrics" {
  image        = "prom/statsd-exporter"
  network_mode = container.db
  quota        = quota.jobs
}
