# sensitive is true or false
variable "x" {
  default   = 1
  sensitive = "yes"
}
