# hashing functions
locals {
  a = sha256("hello")
  b = md5("hello")
  c = uuidv5("dns", "example.com")
}
