# traversals: .attr, [index], ["key"], legacy .0 index
locals {
  obj = { a = { b = [10, 20, { c = "deep" }] } }
  x   = local.obj.a.b[2].c
  y   = local.obj["a"]["b"][0]
  z   = local.obj.a.b.1
}
