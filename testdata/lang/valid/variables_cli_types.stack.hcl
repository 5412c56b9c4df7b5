# --var values are read as HCL expressions unless the variable's type is string
variable "text" {
  type = string
}
variable "ports" {
  type = list(number)
}
variable "labels" {
  type = map(string)
}
variable "svc" {
  type = object({
    name = string
    tags = optional(list(string), [])
  })
}
variable "enabled" {
  type = bool
}
variable "ratio" {
  type = number
}
