# base64decode() of text that is not base64
locals {
  a = base64decode("not base64!")
}
