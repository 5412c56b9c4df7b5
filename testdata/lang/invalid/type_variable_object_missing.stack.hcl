# a default object without a required attribute
variable "svc" {
  type = object({
    name = string
    port = number
  })
  default = {
    name = "web"
  }
}
