variable /* the name: */ "replicas" # header comment
{
  type    = number /* before a line comment */ # and the line comment
  default = 2
  description = "web replicas" /* a block comment
       spanning lines */ # then a line comment
  validation {
    /* before an item */ condition = var.replicas >= 1
    error_message = [ /* inside an expression,
      over two lines */ "must be",
      # a comment inside a tuple
      "at least one", # trailing inside
    ]
  }
}
