# the closing brace of a multi-line block goes on its own line
locals {
  a = 1
  b = 2 }
