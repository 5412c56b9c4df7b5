# number literals: integers, negative, decimals, exponents, 2^53 exactly
locals {
  int      = 42
  negative = -1
  float    = 3.14
  exp      = 1e3
  exp_neg  = 2.5E-2
  big      = 9007199254740992
}
