# a secret block: its value prints as (sensitive) even from a plain variable
variable "db_password" {
  default = "s3cret-value"
}
container "db" {
  image = "postgres:16"
  secret {
    target = "/run/secrets/db"
    value  = var.db_password
    mode   = "0400"
  }
}
