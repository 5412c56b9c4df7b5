services = {
  web    = { image = "nginx:1.27", replicas = 2, port = 8081 }
  worker = { image = "busybox", port = 8082 }
}
