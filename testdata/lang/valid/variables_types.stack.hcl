# variable types and the conversion of defaults
variable "s" {
  type    = string
  default = "x"
}
variable "n" {
  type    = number
  default = "42"
}
variable "b" {
  type    = bool
  default = "true"
}
variable "l" {
  type    = list(string)
  default = ["a", 1]
}
variable "st" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "m" {
  type    = map(number)
  default = { a = 1, b = "2" }
}
variable "o" {
  type = object({
    name = string
    port = optional(number, 80)
    tag  = optional(string)
  })
  default = { name = "web" }
}
variable "t" {
  type    = tuple([string, number])
  default = ["a", 1]
}
variable "any" {
  default = { x = [1] }
}
