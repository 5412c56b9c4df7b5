# an object variable given a string
variable "svc" {
  type = object({ name = string, port = number })
}
