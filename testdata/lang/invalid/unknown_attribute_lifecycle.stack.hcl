# a misspelled lifecycle attribute
container "web" {
  image = "busybox"
  lifecycle {
    prevent_destory = true
  }
}
