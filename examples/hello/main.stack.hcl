# hello: the smallest stack that does something, on the native runtime (the default provider)
# with no network at all. Every start counts itself in a volume and says so in the logs; the
# process fails after a while on purpose, and `restart = "on-failure"` brings it back, so
# `stackc logs container.hello` shows the count go up while the volume keeps it across
# restarts, replacements and `destroy` (volumes are kept unless --purge-volumes).
stack "hello" {}

variable "lifetime" {
  type        = number
  default     = 30
  description = "seconds each run lasts before it fails (and is restarted)"
}

image "busybox" {
  from_host = ["/bin/busybox"]
  config {
    entrypoint = ["/bin/busybox"]
  }
}

volume "data" {}

container "hello" {
  image    = image.busybox
  networks = []
  restart  = "on-failure"
  init     = true

  command = ["sh", "-c", <<-EOT
    n=$(( $(cat /data/runs 2>/dev/null || echo 0) + 1 ))
    echo "$n" > /data/runs
    echo "hello from $(hostname), run $n"
    sleep ${var.lifetime}
    echo "run $n fails now, on purpose" >&2
    exit 1
    EOT
  ]

  mount {
    source = volume.data
    target = "/data"
  }

  resources {
    memory = "16MiB"
    pids   = 8
  }
}

output "logs" {
  value = "stackc -C examples/hello logs container.hello"
}
