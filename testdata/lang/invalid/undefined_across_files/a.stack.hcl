# declares local.greeting
locals {
  greeting = "hi"
}
