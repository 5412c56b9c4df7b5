# strip markers ~ in interpolations and directives
locals {
  a = "x   ${~ "y" ~}   z"
  b = <<EOT
start
  %{~ for i in [1, 2] ~}
  ${i}
  %{~ endfor ~}
end
EOT
}
