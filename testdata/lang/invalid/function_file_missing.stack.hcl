# file() of a file that does not exist
locals {
  a = file("./nope.txt")
}
