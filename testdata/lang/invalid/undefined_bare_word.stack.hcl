# text must be quoted
locals {
  a = hello
}
