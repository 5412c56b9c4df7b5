# a heredoc whose marker never comes
locals {
  a = <<EOT
  hello
}
