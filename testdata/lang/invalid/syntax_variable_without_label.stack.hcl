# a variable block needs a name
variable {
  default = 1
}
