container "c" {
  env = {
    A            = "1"
    LONG_NAME    = "2"
    "quoted-key" = "3"
    C            = "4"
    (local.key)  = "5"

    AFTER_BLANK = 6
    NESTED = {
      x  = 1
      yy = 2
    }
    Z = 7
  }
  labels = { a = 1, b = 2 }
  sysctls = {"net.core.somaxconn" = "1024",
    "net.ipv4.tcp_syncookies" = "1"
  }
  ulimits = {
    nofile = 4096 # open files
    nproc  = 512  # processes
    core   = 0
  }
}
