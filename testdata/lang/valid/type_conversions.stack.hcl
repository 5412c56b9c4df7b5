# variable values convert to their declared types (HCL's conversions)
variable "num_from_string" {
  type    = number
  default = "8080"
}
variable "string_from_number" {
  type    = string
  default = 42
}
variable "string_from_bool" {
  type    = string
  default = true
}
variable "bool_from_string" {
  type    = bool
  default = "false"
}
variable "numbers" {
  type    = set(number)
  default = [3, 1, 2, 1]
}
variable "nested" {
  type = map(list(number))
  default = {
    a = [1, "2"]
    b = []
  }
}
variable "tuple" {
  type    = tuple([string, number, bool])
  default = [1, "2", "true"]
}
variable "list_of_maps" {
  type    = list(map(string))
  default = [{ a = 1 }, { b = true }]
}
