# every string escape, including \u and \U
locals {
  newline = "a\nb"
  tab     = "a\tb"
  quote   = "say \"hi\""
  slash   = "back\\slash"
  unicode = "caf\u00e9"
  emoji   = "\U0001F600"
  cr      = "a\rb"
}
