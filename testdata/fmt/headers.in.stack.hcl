container    "web"     {
  name = "x"
}
provider native {
  socket = "/run/stackc.sock"
}
quota
  "team"
  {
  cpus = 4
}
locals{
  a = 1
}
