# for expressions: tuple, indexed, filtered, object, grouping, over a set
locals {
  list    = [for x in [1, 2, 3] : x * 2]
  indexed = [for i, x in ["a", "b"] : "${i}:${x}"]
  filter  = [for x in [1, 2, 3, 4] : x if x % 2 == 0]
  object  = { for k, v in { a = 1, b = 2 } : upper(k) => v * 10 }
  group   = { for s in ["apple", "avocado", "banana"] : substr(s, 0, 1) => s... }
  from_set = [for x in toset(["b", "a"]) : x]
}
