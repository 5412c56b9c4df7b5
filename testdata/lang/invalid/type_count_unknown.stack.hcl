# count must be known at plan time; an image digest from a registry is not
image "redis" {
  ref = "redis:7"
}
container "web" {
  count = length(image.redis.digest)
  image = image.redis
}
