# a one-line block holds one attribute
image "x" { dir = "./a", ref = "b" }
