# an attribute value starts on the line of =
locals {
  a =
    1
}
