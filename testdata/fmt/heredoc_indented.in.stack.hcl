locals {
      motd = <<-EOT
        Welcome to ${var.name}!
          indented line   
        last line
      EOT
  mixed = <<-EOT
	tab indented
	  ${local.x}
	EOT
  list = [
      <<-A
        one
      A
      , <<-B
        two
        B
  ]
}
