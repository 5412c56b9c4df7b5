# several syntax errors are reported, one per place
locals {
  a = "unterminated
}

variable "x" {
  default = [1, 2
}

output "o" {
  value = )
}
