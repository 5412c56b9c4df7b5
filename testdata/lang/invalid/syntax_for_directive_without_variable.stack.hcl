# %{ for } needs a variable name before in
locals {
  a = "%{ for in [1] }x%{ endfor }"
}
