# Variables for production.
replicas  = 3
image_tag = "v1.2.3"
debug     = false

ports = [80, 443]
# The database password.
db_password = "secret"
labels = {
  env  = "prod"
  team = "web"
}
region = "eu"
