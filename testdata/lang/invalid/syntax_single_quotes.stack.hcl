# strings use double quotes
locals {
  a = 'text'
}
