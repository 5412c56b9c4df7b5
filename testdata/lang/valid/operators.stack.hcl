# every operator and their precedence; == between types is false
locals {
  add   = 1 + 2 * 3
  paren = (1 + 2) * 3
  sub   = 10 - 4 - 3
  div   = 7 / 2
  mod   = 7 % 3
  neg   = -(2 + 3)
  not   = !true
  logic = !false || false && true
  cmp   = [1 < 2, 2 <= 2, 3 > 4, 4 >= 4, 1 == 1, 1 != 2]
  types = [1 == "1", null == null, [1] == [1]]
  str   = "5" + 1
}
