# a registry image digest is known only after apply
image "redis" {
  ref = "redis:7"
}
container "cache" {
  image = image.redis
  labels = {
    digest = image.redis.digest
  }
}
