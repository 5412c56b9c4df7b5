stack "shop" {}

image "site" {
  dir = "./site-v2"
}

container "web" {
  image = image.site
}
