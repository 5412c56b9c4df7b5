image "redis" {
  ref = "redis:7"
}
container "cache" {
  image = image.redis
  labels = {
    digest = image.redis.digest
  }
}
