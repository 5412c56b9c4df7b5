# interpolation; a template that is one interpolation keeps its type
variable "name" {
  default = "world"
}
locals {
  greeting = "hello ${var.name}!"
  math     = "1 + 1 = ${1 + 1}"
  nested   = "outer ${"inner ${var.name}"}"
  whole    = "${[1, 2]}"
}
