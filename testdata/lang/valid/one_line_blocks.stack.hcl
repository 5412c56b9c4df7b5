# blocks on one line hold at most one attribute
network "front" {}
volume "data" { driver = "local" }
image "redis" { ref = "redis:7" }
locals { answer = 42 }
output "answer" { value = local.answer }
container "cache" {
  image = image.redis
  port { container = 6379 }
  tmpfs { target = "/tmp" }
}
