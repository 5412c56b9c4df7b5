region = "eu-west"
zones  = ["a", "b"]
limits = { cpu = 2 }
