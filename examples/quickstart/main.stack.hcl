# The quickstart: a small web stack built from the host's busybox, so it needs no registry.
stack "quickstart" {
  labels = { team = "docs" }
}

variable "port" {
  type        = number
  default     = 8080
  description = "the host port the web server answers on"
  validation {
    condition     = var.port > 1024 && var.port < 65536
    error_message = "port must be an unprivileged port (1025-65535)"
  }
}

locals {
  greeting = "hello from ${stack.name}"
}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}

network "web" {}

volume "content" {}

container "web" {
  image    = image.busybox
  command  = ["httpd", "-f", "-p", "80", "-h", "/srv"]
  networks = [network.web]
  restart  = "unless-stopped"

  port {
    host      = var.port
    container = 80
    host_ip   = "127.0.0.1"
  }

  mount {
    source = volume.content
    target = "/srv"
  }

  file {
    target  = "/srv/index.html"
    content = "<h1>${local.greeting}</h1>\n"
  }

  resources {
    memory = "64MiB"
    cpus   = 0.5
    pids   = 64
  }

  health {
    tcp      = 80
    interval = "2s"
    retries  = 3
  }
}

output "url" {
  value       = "http://127.0.0.1:${var.port}/"
  description = "where the quickstart answers"
}
