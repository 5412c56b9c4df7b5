# columns count characters, not bytes: the bad escape follows multi-byte characters
locals {
  a = "café 😀\q"
}
