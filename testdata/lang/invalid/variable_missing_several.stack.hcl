# every missing variable is listed at once
variable "a" {}
variable "b" {
  type = string
}
variable "c" {
  default = 1
}
