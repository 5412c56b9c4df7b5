# an unknown provider name
provider "podman" {}
