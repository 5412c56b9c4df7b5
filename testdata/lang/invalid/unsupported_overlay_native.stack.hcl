# overlay networks need swarm; the native provider cannot create them
network "mesh" {
  driver = "overlay"
}
