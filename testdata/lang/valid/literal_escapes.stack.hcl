# $${ and %%{ are literal; a lone $ or % is text
locals {
  dollar  = "$${not_interpolated}"
  percent = "%%{not_a_directive}"
  alone   = "cost: $5 and 100%"
}
