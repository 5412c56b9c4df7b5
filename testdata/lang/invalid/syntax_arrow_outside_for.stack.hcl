# => only belongs in an object for expression
locals {
  a = { x => 1 }
}
