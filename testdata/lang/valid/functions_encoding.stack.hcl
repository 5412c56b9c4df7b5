# encoding functions
locals {
  a = jsonencode({ b = [1, true, null], a = "x" })
  b = jsondecode("{\"k\": [1, 2]}")
  c = yamlencode({ a = 1 })
  d = yamldecode("a: [1, 2]")
  e = base64encode("hello")
  f = base64decode("aGVsbG8=")
  g = urlencode("a b&c")
}
