stack "shop" {}

variable "password" {
  type      = string
  sensitive = true
  default   = "swordfish"
}

container "db" {
  image = "postgres:16"
  env   = { PASSWORD = var.password, USER = "admin" }

  secret {
    target = "/run/secrets/token"
    value  = "t0ken"
  }
}
