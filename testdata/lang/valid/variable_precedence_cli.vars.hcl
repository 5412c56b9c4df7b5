port = 2
