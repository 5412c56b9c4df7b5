# a misspelled top-level block
contaner "web" {
  image = "busybox"
}
