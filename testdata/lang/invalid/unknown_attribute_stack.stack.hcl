# the stack block has provider and labels only
stack "shop" {
  version = 2
}
