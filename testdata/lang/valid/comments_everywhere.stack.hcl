# comments between every token where whitespace may go
container /* kind */ "web" /* label */ { # after the brace
  # before an attribute
  image = /* before the value */ "busybox" // after the value
  env = { # inside an object
    A = "1" # after an item
    /* before an item */ B = "2"
  }
  command = [ # inside a tuple
    "a", /* between */ "b"
    # before the end
  ]
  /* before a nested block */ port {
    container = 80 /* trailing block comment */
  }
} # after the closing brace
/* block comment
   spanning # and // markers
*/
