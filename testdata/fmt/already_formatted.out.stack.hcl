# The shop stack.
stack "shop" {
  provider = "native"
  labels   = { team = "web" }
}

variable "replicas" {
  type        = number
  default     = 2
  description = "web replicas"

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 20
    error_message = "replicas must be between 1 and 20"
  }
}

locals {
  tag  = "v1"
  name = "${var.prefix}-web"
}

image "rootfs" { dir = "./rootfs" }

image "app" {
  build {
    context    = "./app"
    dockerfile = "Dockerfile"
    args       = { VERSION = "1.2" }
  }
}

container "web" {
  image    = image.app
  restart  = "always"
  networks = [network.front]
  env = {
    PORT = "8080"
    TAG  = local.tag
  }

  port {
    host      = 8080
    container = 80
  }

  # Health check.
  health {
    http     = "http://127.0.0.1:80/health" # probed by stackc
    interval = "5s"
  }
}

output "url" {
  value       = "http://127.0.0.1:${service.web.port[0].host}"
  description = "where the shop answers"
}
