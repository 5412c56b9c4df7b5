# a subnet with host bits set, with a did-you-mean
network "n" {
  subnet = "10.0.0.5/24"
}
