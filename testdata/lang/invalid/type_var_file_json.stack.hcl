# a JSON variable file with the wrong type
variable "replicas" {
  type = number
}
