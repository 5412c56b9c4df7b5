# %{if}/%{else}/%{for} directives inside quoted strings
variable "items" {
  default = ["a", "b", "c"]
}
locals {
  if_else = "%{ if length(var.items) > 2 }many%{ else }few%{ endif }"
  loop    = "%{ for i, x in var.items }${i}=${x};%{ endfor }"
  only_if = "[%{ if false }hidden%{ endif }]"
}
