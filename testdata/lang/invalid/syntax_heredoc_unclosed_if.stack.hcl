# an unclosed %{ if } inside a heredoc; the rest of the file is not reported again
locals {
  a = <<EOT
%{ if true }yes
EOT
  b = 1
}
