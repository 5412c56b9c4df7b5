# join takes two arguments
locals {
  a = join(",")
}
