# %{if}/%{else}/%{for} directives inside heredocs, nested, over maps and with strip markers
variable "debug" {
  default = false
}
locals {
  ports = { http = 80, https = 443 }
  conf = <<EOT
%{ if var.debug }log_level = debug
%{ else }log_level = warn
%{ endif }
%{ for name, port in local.ports }listen ${name} ${port}
%{ endfor }
EOT
  stripped = <<-EOT
    %{~ for n in [1, 2, 3] ~}
      item ${n}
    %{~ endfor ~}
    done
    EOT
  nested   = "%{ if true }%{ if false }x%{ else }y%{ endif }%{ endif }"
  map_loop = "%{ for k, v in local.ports }${k}=${v},%{ endfor }"
}
