# the quota's nested block is called default
quota "team" {
  memory = "1GiB"
  defaults {
    memory = "64MiB"
  }
}
