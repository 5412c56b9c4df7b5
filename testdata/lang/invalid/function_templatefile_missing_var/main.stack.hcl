# the template uses a variable that templatefile() is not given
locals {
  text = templatefile("./greeting.tpl", { name = "Ada" })
}
