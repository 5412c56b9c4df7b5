# a stack name must be a valid name
stack "my shop" {}
