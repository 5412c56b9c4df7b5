# locals hold attributes only
locals {
  inner {
    a = 1
  }
}
