# for expressions: over maps and sets, with index, filters, nesting and grouping
locals {
  m          = { b = 2, a = 1, c = 3 }
  keys_only  = [for k, v in local.m : k]
  big_values = { for k, v in local.m : k => v if v > 1 }
  inverted   = { for i, v in ["x", "y"] : v => i }
  nested     = [for x in [1, 2] : [for y in ["a", "b"] : "${x}${y}"]]
  pairs      = flatten([for x in [1, 2] : [for y in ["a", "b"] : { x = x, y = y }]])
  grouped    = { for p in local.pairs : p.y => p.x... }
  grouped_if = { for w in ["apple", "bob", "avocado", "banana"] : substr(w, 0, 1) => w... if length(w) > 3 }
  from_set   = [for s in toset(["z", "y"]) : upper(s)]
  objects    = [for name, port in { web = 80, api = 8080 } : { name = name, port = port }]
}
