locals {
  greeting = "Hello, ${var.name}!"
  cond     = "%{ if var.debug }debug%{ else }release%{ endif }"
  loop     = "%{ for i, v in var.list }${i}=${v},%{ endfor }"
  strip    = "a ${~ var.x ~} b"
  escapes  = "quote \" backslash \\ tab \t unicode \u00e9 $${literal} %%{literal}"
  long_interp = "${join(",", [
    "a",
    "b",
  ])}"
  nested = "outer ${"inner ${var.x}"} done"
  braces = "${ {a = 1}.a }"
  heredoc_tpl = <<EOT
%{ for name, port in var.ports ~}
server ${name} 127.0.0.1:${port}
%{ endfor ~}
%{ if var.tls }ssl on;%{ endif }
EOT
}
