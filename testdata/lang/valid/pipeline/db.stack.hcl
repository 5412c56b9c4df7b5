# the database and its one-shot migration
volume "pg" {
  labels = { backup = "daily" }
}

container "db" {
  image = "postgres:16-alpine"
  mount {
    source = volume.pg
    target = "/var/lib/postgresql/data"
  }
  health {
    exec         = ["pg_isready", "-U", "postgres"]
    interval     = "2s"
    retries      = 10
    start_period = "10s"
  }
  quota = quota.jobs
  resources {
    memory = "512MiB"
    cpus   = 1
    pids   = 200
  }
}

container "migrate" {
  image      = "jobs/app:3"
  command    = ["migrate", "--url", local.db_url]
  oneshot    = true
  depends_on = [container.db]
  quota      = quota.jobs
}
