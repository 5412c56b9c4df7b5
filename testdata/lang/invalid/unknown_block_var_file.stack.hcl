# variable files hold attributes only
variable "a" {
  default = 1
}
