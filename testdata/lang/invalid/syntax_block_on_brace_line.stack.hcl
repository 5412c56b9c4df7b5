# a nested block cannot start on the line of {
container "web" { port {
  container = 80
}
}
