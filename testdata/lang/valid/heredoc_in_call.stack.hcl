# heredocs as function arguments
locals {
  a = upper(<<EOT
shout
EOT
  )
  b = trimspace(<<-EOT
    padded
    EOT
  )
}
