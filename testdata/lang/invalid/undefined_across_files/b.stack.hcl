# a misspelled local declared in another file, with a did-you-mean
output "g" {
  value = local.greting
}
