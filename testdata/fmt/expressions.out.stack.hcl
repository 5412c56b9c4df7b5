locals {
  sum = 1 +
    2 +
    3
  cond = var.enabled ? "yes" : "no"
  cond_multi = var.enabled ? (
    "yes"
  ) : (
    "no"
  )
  splat      = container.web[*].name
  attr_splat = var.list.*.id
  legacy     = var.tuple.0
  index      = var.map["key"]
  call = merge(local.a,
    local.b,
    local.c)
  expand = concat(var.lists...)
  nested_call = format("%s-%s", lower(
    var.a
  ), upper(var.b))
  neg   = -1
  not   = !var.flag
  paren = (1 + 2) * 3
  object_in_call = merge(local.base, {
    extra = true
  })
  chain = try(
    var.a.b.c,
    null,
  )
}
