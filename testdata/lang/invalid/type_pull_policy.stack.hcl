# pull is missing, always or never
image "redis" {
  ref  = "redis:7"
  pull = "sometimes"
}
