# a syntax error in the second file; both are reported, in file order
variable "x" {
  default = "\z"
}
