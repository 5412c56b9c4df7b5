# the two results of a conditional are converted to their common type (HCL's unification)
locals {
  number_or_string = true ? 1 : "a"
  bool_or_string   = false ? "x" : true
  same             = true ? 1 : 2
  lists            = true ? [1] : []
}
