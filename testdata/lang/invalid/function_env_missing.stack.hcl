# env() of an unset variable without a default
locals {
  a = env("STACKC_TEST_SURELY_UNSET_VARIABLE")
}
