locals {
  a = env("STACKC_TEST_SURELY_UNSET_VARIABLE", "fallback")
}
