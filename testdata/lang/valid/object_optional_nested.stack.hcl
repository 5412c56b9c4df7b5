# optional() attributes, with and without defaults, also nested
variable "app" {
  type = object({
    name = string
    port = optional(number, 80)
    tls  = optional(object({
      enabled = optional(bool, false)
      cert    = optional(string)
    }), {})
    tags = optional(map(string))
  })
  default = {
    name = "web"
  }
}
variable "explicit" {
  type = object({
    name = string
    port = optional(number, 80)
    tls = optional(object({
      enabled = optional(bool, false)
      cert    = optional(string)
    }), {})
  })
  default = {
    name = "api"
    port = 8443
    tls  = { enabled = true }
  }
}
