locals {
  config = {
    server = {
      listen = {
        host = "0.0.0.0"
        port = 8080
        tls = {
          enabled = true
          cert    = "/etc/cert.pem"
          options = { min_version = "1.2", ciphers = ["a", "b"] }
        }
      }
      routes = [
        {
          path    = "/"
          backend = "web"
        },
        {
          path    = "/api"
          backend = { name = "api", weight = 10 }
        },
      ]
    }
  }
}
