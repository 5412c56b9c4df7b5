# for_each over numbers
container "web" {
  for_each = [1, 2]
  image    = "busybox"
}
