# parseint() of digits outside the base
locals {
  a = parseint("12", 2)
}
