# number functions
locals {
  a = min(3, 1, 2)
  b = max(3, 1, 2)
  c = abs(-5)
  d = ceil(1.2)
  e = floor(1.8)
  f = parseint("ff", 16)
  g = parseint("-101", 2)
}
