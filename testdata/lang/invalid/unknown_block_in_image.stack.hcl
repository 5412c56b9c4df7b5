# a misspelled build block
image "app" {
  biuld {
    context = "./app"
  }
}
