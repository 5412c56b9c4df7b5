# string functions
locals {
  a = format("%s-%03d", "web", 7)
  b = formatlist("%s=%s", ["a", "b"], ["1", "2"])
  c = join(",", ["a", "b"])
  d = split(",", "a,b,c")
  e = [upper("ab"), lower("AB"), title("hello world")]
  f = [trimspace("  x  "), trim("--x--", "-"), trimprefix("v1.2", "v"), trimsuffix("a.txt", ".txt")]
  g = replace("a-b-c", "-", "_")
  h = replace("v1.2.3", "/v(\\d+).*/", "$1")
  i = substr("hello", 1, 3)
  j = [startswith("abc", "ab"), endswith("abc", "bc"), strcontains("abc", "b")]
  k = regex("(\\d+)-(\\d+)", "10-20")
  l = regexall("[a-z]", "a1b2")
  m = indent(2, "a\nb")
  n = chomp("line\n")
}
