# the closing marker must repeat the opening one
locals {
  a = <<EOT
text
EOF
}
