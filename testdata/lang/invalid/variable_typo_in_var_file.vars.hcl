prot = 8080
