service "api" {
replicas = 3
update {
parallelism = 1
	order = "start-first"
        health {
                     http = "http://127.0.0.1:80/health"
  interval = "5s"
   nested {
     deeper {
       deepest = true
     }
   }
        }
}
	port {
	  host = 8080
	  container = 80
	}
}
