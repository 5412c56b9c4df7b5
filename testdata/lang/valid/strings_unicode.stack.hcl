# string functions count grapheme clusters, and unicode survives every function
locals {
  thumbs     = length("👍🏽")
  combining  = substr("e\u0301tude", 0, 2)
  cafe_len   = length("caf\u00e9")
  upper      = upper("élan")
  lower      = lower("ÀÉÎ")
  title      = title("élan vital")
  b64        = base64encode("é")
  b64_back   = base64decode("w6k=")
  url        = urlencode("é/?=&")
  json_html  = jsonencode("<a&b>")
  reversed   = join("", reverse(split("", "abc")))
  emoji_list = split(",", "😀,\U0001F601")
}
