# expressions broken over lines inside brackets, comments among elements, odd spacing
locals {
  sum = (
    1 +
    2
  )
  list = [
    1, # one
    2, // two
    /* three */ 3
  ]
  object = {
    a = 1,
    b = 2,
  }
  call = upper(
    "x"
  )
  squares = [for x in [1, 2, 3] :
    x * x
    if x > 1
  ]
  choice   = true ? (false ? 1 : 2) : 3
  not_not  = !!true
  negated  = -local.object.a
  minus    = 1 - -1
  tight    = 5-3
  chained  = 1 + 2 * 3 - 4 / 2 % 3
  compare  = 2 < 3 == true
  logic    = !false && 1 > 2 || 3 >= 3
  hash_in_string = "http://x/#anchor // not a comment /* nor this */"
  braces   = "} and { and $ and %"
}
