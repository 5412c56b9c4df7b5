# templatefile() of a file that does not exist
locals {
  a = templatefile("./nope.tpl", {})
}
