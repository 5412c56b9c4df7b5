# A web shop split over several files: files load in byte order and form one body.
stack "shop" {
  labels = { team = "shop" }
}

variable "replicas" {
  type    = number
  default = 2
}

variable "db_password" {
  type      = string
  default   = "correct-horse-battery"
  sensitive = true
}
