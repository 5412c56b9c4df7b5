# type conversion functions, type(), try() and can()
locals {
  a = tostring(5)
  b = tonumber("5")
  c = tobool("true")
  d = tolist(["a", "b"])
  e = toset(["b", "a", "b"])
  f = tomap({ a = "1" })
  g = type([1, "a"])
  h = try(local.missing_key.x, "fallback")
  i = can(tonumber("x"))
  j = try(tonumber("x"), 0)
  k = can(1 + 1)
}
locals {
  missing_key = {}
}
