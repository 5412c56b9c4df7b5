# a misspelled update attribute
service "api" {
  image = "busybox"
  update {
    paralelism = 2
  }
}
