# A job pipeline over four files: a database, a one-shot migration, workers per queue, a pod-like
# sidecar sharing a container's network namespace. No stack block: the name is the directory's.
variable "queues" {
  type = map(object({
    workers = optional(number, 1)
    memory  = optional(string, "128MiB")
  }))
  default = {
    email  = {}
    images = { workers = 2, memory = "256MiB" }
  }
}

locals {
  db_url = "postgres://${container.db.name}:5432/jobs"
}
