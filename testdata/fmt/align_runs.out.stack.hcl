container "web" {
  image        = image.app
  restart      = "always"
  max_restarts = 5
  hostname     = "web"

  read_only = true
  init      = false
  # a comment line breaks the run
  stop_signal  = "SIGTERM"
  stop_timeout = "10s"
  port {
    host      = 8080
    container = 80
  }
  privileged = false
  cap_add    = ["NET_ADMIN"]
  command = [
    "serve",
    "--port=80",
  ]
  user    = "app"
  workdir = "/srv"
}
