stack "shop" {}

image "site" {
  dir = "./site-v1"
}

container "web" {
  image = image.site
}
