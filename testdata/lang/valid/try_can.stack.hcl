# try() returns its first argument that evaluates without error; can() says whether one does
locals {
  config   = { port = 8080 }
  port     = try(local.config.port, 80)
  host     = try(local.config.host, "localhost")
  chain    = try(local.config.a, local.config.b, "third")
  divided  = try(1 / 0, "caught division")
  indexed  = try([1, 2][5], -1)
  parsed   = try(tonumber("x"), jsondecode("{\"n\": 3}").n)
  can_port = can(local.config.port)
  can_host = can(local.config.host)
  can_num  = can(tonumber("12"))
  regex_ok = can(regex("^[a-z]+$", "abc"))
}
