# conditionals, nested in the false branch
variable "env" {
  default = "prod"
}
locals {
  replicas = var.env == "prod" ? 3 : 1
  nested   = var.env == "dev" ? "d" : var.env == "prod" ? "p" : "x"
}
