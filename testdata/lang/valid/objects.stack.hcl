# object keys: identifiers, strings, (expressions), and : instead of =
locals {
  k = "dynamic"
  o = {
    ident    = 1
    "quoted" = 2
    "with-dash" = 3
    (local.k) = 4
    colon: 5
  }
  inline = { a = 1, b = 2 }
  empty  = {}
}
