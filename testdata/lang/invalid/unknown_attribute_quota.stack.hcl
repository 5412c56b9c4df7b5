# a misspelled quota dimension
quota "team" {
  memroy = "1GiB"
}
