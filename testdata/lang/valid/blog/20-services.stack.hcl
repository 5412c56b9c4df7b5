# the containers, a network and a volume
volume "content" {}

network "blog" {
  subnet = "10.77.0.0/24"
}

container "app" {
  image    = "ghost:5-alpine"
  networks = [network.blog]
  env = {
    url      = local.site_url
    AUTHORS  = join(",", [for a in var.authors : a.name])
  }
  mount {
    source = volume.content
    target = "/var/lib/ghost/content"
  }
  secret {
    target = "/run/secrets/admin"
    value  = var.admin_password
  }
  tmpfs {
    target = "/tmp"
    size   = var.cache_size
  }
  restart = "unless-stopped"
}

container "proxy" {
  image      = "nginx:1.27-alpine"
  networks   = [network.blog]
  depends_on = [container.app]
  file {
    target  = "/etc/nginx/conf.d/blog.conf"
    content = local.nginx_conf
  }
  file {
    target  = "/usr/share/nginx/html/banner.txt"
    content = local.banner
  }
  port {
    host      = 8443
    container = 80
  }
}
