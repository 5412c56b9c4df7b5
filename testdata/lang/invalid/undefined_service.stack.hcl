# a misspelled service, with a did-you-mean
service "api" {
  image = "busybox"
}
output "n" {
  value = service.apii.name
}
