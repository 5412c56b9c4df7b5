# a container with every attribute and every nested block
image "app" {
  ref = "app:1"
}
network "web" {}
volume "data" {}
container "web" {
  image       = image.app
  command     = ["serve"]
  entrypoint  = ["/bin/app"]
  env         = { MODE = "prod" }
  workdir     = "/srv"
  user        = "app"
  hostname    = "web"
  networks    = [network.web]
  aliases     = ["www"]
  restart     = "on-failure"
  max_restarts = 5
  read_only   = true
  cap_add     = ["NET_ADMIN"]
  cap_drop    = ["CAP_MKNOD"]
  privileged  = false
  ulimits     = { nofile = 4096 }
  sysctls     = { "net.ipv4.ip_forward" = "1" }
  init        = true
  stop_signal = "SIGINT"
  stop_timeout = "30s"
  labels      = { team = "web" }

  port {
    host      = 8080
    container = 80
    protocol  = "tcp"
    host_ip   = "127.0.0.1"
  }
  mount {
    source   = volume.data
    target   = "/data"
    readonly = false
  }
  mount {
    source = "/etc/hosts"
    target = "/etc/hosts.host"
    readonly = true
  }
  tmpfs {
    target = "/tmp"
    size   = "64MiB"
  }
  resources {
    cpus        = "500m"
    memory      = "256MiB"
    memory_swap = "512MiB"
    pids        = 100
    cpu_shares  = 512
    cpuset      = "0-1"
    io_weight   = 100
  }
  health {
    http         = "http://127.0.0.1:80/health"
    interval     = "10s"
    timeout      = "2s"
    retries      = 3
    start_period = "5s"
    on_unhealthy = "restart"
  }
  file {
    target  = "/etc/app.conf"
    content = "mode=prod\n"
    mode    = "0644"
  }
}
