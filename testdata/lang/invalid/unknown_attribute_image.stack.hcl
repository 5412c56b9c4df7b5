# an image has no tag attribute: the tag is part of ref
image "redis" {
  ref = "redis"
  tag = "7"
}
