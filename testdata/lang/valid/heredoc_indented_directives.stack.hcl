# an indented heredoc removes the common indentation from every line, inside directives too
locals {
  hosts = ["a", "b"]
  conf  = <<-EOT
    upstream app {
    %{~ for h in local.hosts }
      server ${h};
    %{~ endfor }
    }
    %{~ if length(local.hosts) > 1 }
      balanced
    %{~ else }
      single
    %{~ endif }
    EOT
}
