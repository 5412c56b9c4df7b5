# %{ endfor } without %{ for }
locals {
  a = "x%{ endfor }"
}
