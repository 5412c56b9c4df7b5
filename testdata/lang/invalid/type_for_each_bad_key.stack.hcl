# for_each keys become names
container "web" {
  for_each = toset(["a b"])
  image    = "busybox"
}
