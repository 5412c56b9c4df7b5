# index() of a value that is not in the list
locals {
  a = index(["a", "b"], "c")
}
