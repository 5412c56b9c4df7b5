# values: a heredoc with a directive, file() of a file beside the stack
locals {
  # a heredoc with interpolation and a directive
  nginx_conf = <<-EOT
    server {
      server_name ${var.domain};
    %{~ for a in var.authors }
      # author: ${a.name} <${a.email}>
    %{~ endfor }
      location / {
        proxy_pass http://${container.app.name}:2368;
      }
    }
    EOT

  banner   = file("./banner.txt")
  site_url = "https://${var.domain}/"
}
