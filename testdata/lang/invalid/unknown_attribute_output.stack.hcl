# a misspelled output attribute
output "o" {
  value       = 1
  descrption  = "x"
}
