# a block that is never closed
locals {
  a = 1
