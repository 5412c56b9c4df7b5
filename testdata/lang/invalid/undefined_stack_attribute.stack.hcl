# stack has name only
locals {
  a = stack.id
}
