port = 2
name = "from-hcl"
