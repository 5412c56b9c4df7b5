# a misspelled variable attribute
variable "x" {
  defualt = 1
}
