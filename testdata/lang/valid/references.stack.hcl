# reading attributes of another resource: .ref, .address, .name
image "app" {
  ref = "app:1"
}
container "web" {
  image = image.app
  env = {
    SELF  = "web"
    IMAGE = image.app.ref
    ADDR  = image.app.address
  }
}
output "web_name" {
  value = container.web.name
}
