# The guestbook: the three tiers of the Kubernetes guestbook tutorial, built from the host's
# busybox so it needs no registry. A primary store keeps the messages on a volume; a reader
# service (2 replicas) serves them; a frontend service (3 replicas) renders the page and
# takes new messages, published once on the host and balanced over its ready replicas. A
# quota holds the whole app's memory and processes.
#
#   stackc -C examples/guestbook apply --auto-approve   # native, as root; or --provider docker
#   curl 'http://127.0.0.1:8081/cgi-bin/add?hello'   # sign the guestbook
#   curl http://127.0.0.1:8081/cgi-bin/index         # read it
stack "guestbook" {}

variable "port" {
  type        = number
  default     = 8081
  description = "the host port the frontend answers on"
}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}

network "app" {}

volume "messages" {}

quota "guestbook" {
  memory     = "512MiB"
  pids       = 400
  containers = 8
  default {
    memory = "32MiB"
    pids   = 40
  }
}

locals {
  # Each tier is busybox httpd serving CGI scripts from /srv/cgi-bin.
  httpd = ["httpd", "-f", "-p", "80", "-h", "/srv"]
}

# The primary: the only writer, like the guestbook's redis leader.
container "primary" {
  image    = image.busybox
  command  = local.httpd
  networks = [network.app]
  aliases  = ["primary"]
  init     = true
  restart  = "unless-stopped"
  quota    = quota.guestbook

  mount {
    source = volume.messages
    target = "/data"
  }

  file {
    target  = "/srv/cgi-bin/get"
    mode    = "0755"
    content = file("${path.stack}/cgi/primary-get")
  }

  file {
    target  = "/srv/cgi-bin/add"
    mode    = "0755"
    content = file("${path.stack}/cgi/primary-add")
  }
}

# Readers: replicas that serve what the primary holds, like redis followers.
service "reader" {
  image    = image.busybox
  command  = local.httpd
  networks = [network.app]
  replicas = 2
  init     = true
  restart  = "unless-stopped"
  quota    = quota.guestbook

  file {
    target  = "/srv/cgi-bin/list"
    mode    = "0755"
    content = file("${path.stack}/cgi/reader-list")
  }

  update {
    order   = "start-first"
    monitor = "2s"
  }
}

# The frontend: renders the page from a reader, sends new messages to the primary.
service "frontend" {
  image      = image.busybox
  command    = local.httpd
  networks   = [network.app]
  replicas   = 3
  init       = true
  restart    = "unless-stopped"
  quota      = quota.guestbook
  depends_on = [container.primary, service.reader]

  port {
    host      = var.port
    container = 80
    host_ip   = "127.0.0.1"
  }

  file {
    target  = "/srv/cgi-bin/index"
    mode    = "0755"
    content = file("${path.stack}/cgi/frontend-index")
  }

  file {
    target  = "/srv/cgi-bin/add"
    mode    = "0755"
    content = file("${path.stack}/cgi/frontend-add")
  }

  health {
    exec     = ["/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/cgi-bin/index"]
    interval = "2s"
    retries  = 2
  }

  update {
    order   = "start-first"
    monitor = "2s"
  }
}

output "url" {
  value = "http://127.0.0.1:${var.port}/cgi-bin/index"
}
