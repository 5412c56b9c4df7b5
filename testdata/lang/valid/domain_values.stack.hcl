# durations, sizes and CPU amounts print as written, in every accepted form
container "a" {
  image        = "busybox"
  stop_timeout = "1m30s"
  resources {
    cpus        = 0.5
    memory      = "1.5GiB"
    memory_swap = "2G"
  }
  tmpfs {
    target = "/tmp"
    size   = 1048576
  }
  health {
    exec     = ["true"]
    interval = 5
    timeout  = "250ms"
  }
}
container "b" {
  image        = "busybox"
  stop_timeout = "2h"
  resources {
    cpus   = "1500m"
    memory = "512MB"
  }
  tmpfs {
    target = "/run"
    size   = "64Mi"
  }
  health {
    tcp      = 8080
    interval = "100us"
    timeout  = "500ns"
  }
}
container "c" {
  image = "busybox"
  resources {
    cpus   = 2
    memory = "1TiB"
  }
  tmpfs {
    target = "/cache"
    size   = "10KB"
  }
}
