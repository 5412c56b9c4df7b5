port = var.base + 1
