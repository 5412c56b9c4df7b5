# yamldecode() of text that is not YAML
locals {
  a = yamldecode("a: [1, 2")
}
