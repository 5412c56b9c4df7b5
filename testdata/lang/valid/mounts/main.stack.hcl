# mount sources: a volume, a file relative to the stack directory, an absolute path
volume "cache" {}
container "app" {
  image = "busybox"
  mount {
    source = volume.cache
    target = "/cache"
  }
  mount {
    source   = "./app.conf"
    target   = "/etc/app.conf"
    readonly = true
  }
  mount {
    source = "/var/log"
    target = "/host-logs"
  }
  file {
    target  = "/etc/app.copy"
    content = file("./app.conf")
    mode    = "0444"
  }
}
