# \u needs four hex digits
locals {
  a = "\u12G4"
}
