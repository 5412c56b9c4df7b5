# file() may not leave the stack directory
locals {
  a = file("../secret.txt")
}
