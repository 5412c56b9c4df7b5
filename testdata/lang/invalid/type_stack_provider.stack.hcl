# the stack's provider is native, docker or swarm
stack "shop" {
  provider = "podman"
}
