# A blog split across files: inputs here, values from blog.vars.hcl (see blog.args)
stack "blog" {
  provider = "native"
  labels = {
    app = "blog"
  }
}

variable "domain" {
  type = string
}

variable "authors" {
  type = list(object({
    name  = string
    email = string
  }))
}

variable "cache_size" {
  type    = string
  default = "64MiB"
}

variable "admin_password" {
  type      = string
  sensitive = true
}
