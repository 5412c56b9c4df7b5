# full splat [*], attribute splat .*, splat of null and of a single object
locals {
  list  = [{ n = 1, t = ["a"] }, { n = 2, t = ["b"] }]
  full  = local.list[*].n
  deep  = local.list[*].t[0]
  attr  = local.list.*.n
  none  = null[*]
  one   = { n = 3 }[*].n
}
