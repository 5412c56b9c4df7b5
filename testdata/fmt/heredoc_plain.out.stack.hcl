container "c" {
  file {
    target = "/etc/app.conf"
    content = <<EOT
[server]
  port = ${var.port}   
	name = "${container.db.name}"
    escaped = $${not_interpolated}

EOT
  }
  command = concat(["sh"], [<<EOT
echo hello
EOT
    , "done"])
  script = trimspace(<<SCRIPT
#!/bin/sh
set -e
  exec "$@"
  SCRIPT
  )
  empty = <<EOT
EOT
}
