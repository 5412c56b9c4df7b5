# A file header comment.
// Another style.
/* And a block comment. */

# Attached to the stack block.
stack "shop" { # after the brace
  # leading comment of provider
  provider = "native"         # native | docker | swarm
  labels   = { team = "web" } // added to every object
  /* before name */
  name = "shop" /* trailing block comment */
  # at the end of the body
} # after the closing brace

# Between blocks, attached to the next one.
locals {
  a   = 1 # one
  bb  = 2 # two
  ccc = 3

  dddd = 4 # four
  # last comment
}
# Trailing comment at the end of the file.
