port = 8080
locals {
}
