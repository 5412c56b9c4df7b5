# coalesce() with no non-null argument
locals {
  a = coalesce(null, "")
}
