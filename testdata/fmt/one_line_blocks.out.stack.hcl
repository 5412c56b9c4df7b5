image "rootfs" { dir = "./rootfs" }

image "saved" { archive = "./images/app.tar" }

image "empty" {}

image "empty2" {}

image "comment" { dir = "./x" } # trailing after one-line block

image "expanded" {
  dir = "./x" /* inner comment */
}

image "multi" {
  from_host = ["/bin/sh",
    "/usr/bin/python3"]
}

container "c" {
  tmpfs { target = "/tmp" }
  tmpfs { target = "/run" }
  resources {}
}
