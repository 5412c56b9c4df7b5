# %{ if } needs a condition
locals {
  a = "%{ if }x%{ endif }"
}
