# a stack has one stack block
stack "a" {}
stack "b" {}
