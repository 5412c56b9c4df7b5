# Variables from an HCL and a JSON file; the later file wins.
variable "region" {}
variable "zones" {
  type = list(string)
}
variable "limits" {
  type = map(number)
}
locals {
  summary = "${var.region}: ${join(",", var.zones)}"
}
