locals {
  dollar  = "$${not_interpolated}"
  percent = "%%{not_a_directive}"
  alone   = "cost: $5 and 100%"
}
