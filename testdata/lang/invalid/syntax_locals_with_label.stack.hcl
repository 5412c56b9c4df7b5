# locals take no label
locals "x" {
  a = 1
}
