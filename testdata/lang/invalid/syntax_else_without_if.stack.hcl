# %{ else } outside an %{ if }
locals {
  a = "x%{ else }y"
}
