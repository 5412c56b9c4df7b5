locals { a = "\q" } # a byte-order mark does not shift the columns of line 1; CRLF endings
locals {
  b = "\w"
}
