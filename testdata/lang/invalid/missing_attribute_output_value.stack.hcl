# an output needs a value
output "url" {
  description = "x"
}
