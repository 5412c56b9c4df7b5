container "c" {
  command = ["a", "b",    "c"]
  entrypoint = [
  "/bin/sh",
        "-c",
  ]
  networks = [network.front,
      network.back]
  aliases = [

    "one",


    "two",
  ]
  nested = [[1, 2], [
  3,
  4,
  ], [
          [5,
    6],
  ]]
  depends_on = []
}
