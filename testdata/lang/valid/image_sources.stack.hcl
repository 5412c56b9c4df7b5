# every image source, and the config block (build needs --provider docker)
image "redis" {
  ref  = "redis:7-alpine"
  pull = "missing"
}
image "app" {
  build {
    context    = "./app"
    dockerfile = "Dockerfile"
    args       = { VERSION = "1.2" }
    target     = ""
  }
}
image "rootfs" { dir = "./rootfs" }
image "saved" { archive = "./images/app.tar" }
image "tools" {
  from_host = ["/bin/sh"]
  files     = { "/app/server.py" = "./server.py" }
  config {
    entrypoint = ["/bin/sh"]
    cmd        = ["-c", "echo hi"]
    env        = { A = "1" }
    workdir    = "/app"
    user       = "nobody"
  }
}
