# a misspelled name in a variable file is a warning; the variable then has no value
variable "port" {
  type = number
}
