# plain and indented heredocs, with interpolation and a directive
locals {
  plain = <<EOT
line one
  line two
EOT
  indented = <<-EOT
    first
      second
    third
    EOT
  templated = <<EOT
hello ${upper("x")}
%{ for n in [1, 2] }n=${n}
%{ endfor }done
EOT
}
