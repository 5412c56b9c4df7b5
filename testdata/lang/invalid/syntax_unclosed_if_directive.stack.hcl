# %{ if } without %{ endif }
locals {
  a = "%{ if true }yes"
}
