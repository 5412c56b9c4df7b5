# lifecycle fields take expressions, variables included
variable "protect" {
  type    = bool
  default = true
}
container "db" {
  image = "postgres:16"
  lifecycle {
    prevent_destroy = var.protect
  }
}
container "app" {
  image      = "app"
  depends_on = [container.db]
  lifecycle {
    create_before_destroy = !var.protect
    ignore_changes        = [labels]
    replace_triggered_by  = [container.db]
  }
}
