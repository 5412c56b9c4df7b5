# env() with a default for an unset variable
locals {
  a = env("STACKC_TEST_SURELY_UNSET_VARIABLE", "fallback")
}
