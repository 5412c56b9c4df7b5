# depends_on and lifecycle print in the configuration (references as addresses)
container "db" {
  image = "postgres:16"
}
container "migrate" {
  image      = "app"
  oneshot    = true
  depends_on = [container.db]
}
container "app" {
  image      = "app"
  depends_on = [container.migrate]
  lifecycle {
    prevent_destroy       = false
    create_before_destroy = true
    ignore_changes        = [env, resources.memory]
    replace_triggered_by  = [container.db]
  }
}
