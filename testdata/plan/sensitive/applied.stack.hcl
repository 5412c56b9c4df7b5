stack "shop" {}

variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2"
}

container "db" {
  image = "postgres:16"
  env   = { PASSWORD = var.password, USER = "app" }

  secret {
    target = "/run/secrets/token"
    value  = "s3cret"
  }
}
