# an archive image has a digest computed from the file's bytes at plan time;
# a registry image's digest is known only after apply
image "app" {
  archive = "./app.tar"
  config {
    cmd = ["/bin/cat", "/hello.txt"]
  }
}
image "redis" {
  ref = "redis:7"
}
container "hello" {
  image = image.app
}
output "digest_is_sha256" {
  value = startswith(image.app.digest, "sha256:") && length(image.app.digest) == 71
}
output "redis_digest" {
  value = image.redis.digest
}
