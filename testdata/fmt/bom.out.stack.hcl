stack "bom" {
  name = "x"
}
