# zipmap() needs lists of equal length
locals {
  a = zipmap(["a", "b"], [1])
}
