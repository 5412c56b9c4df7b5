a = 2
extra {
  b = 1
}
