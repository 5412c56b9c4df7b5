# a file with a byte-order mark and CRLF line endings
locals {
  a = "x"
  b = <<EOT
line
EOT
}
