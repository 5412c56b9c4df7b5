# templatefile() and file() read files relative to the stack directory.
locals {
  upstreams = ["api-1", "api-2"]
}

container "proxy" {
  image = "nginx:1.27"
  file {
    target  = "/etc/nginx/nginx.conf"
    content = templatefile("./nginx.conf.tpl", { upstreams = local.upstreams, port = 8080 })
  }
  file {
    target  = "/usr/share/nginx/html/index.html"
    content = file("./index.html")
  }
  labels = {
    config_sha = substr(filesha256("./index.html"), 0, 12)
    exists     = tostring(fileexists("./index.html"))
  }
}
