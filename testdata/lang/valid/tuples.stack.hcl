# tuples: empty, trailing comma, one element per line, mixed types
locals {
  empty    = []
  one      = [1]
  trailing = [1, 2, 3,]
  lines = [
    "a",
    "b",
  ]
  mixed = [1, "two", true, null, [3]]
}
