stack "crlf" {
  name     = "x"
  provider = "native"
  # comment
}

locals {
  text = <<EOT
line one
line two
EOT
}
