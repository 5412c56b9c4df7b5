# a misspelled function, with a did-you-mean
locals {
  a = lenght([1, 2])
}
