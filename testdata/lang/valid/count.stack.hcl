# count: instances [0..N-1], count.index, runtime names with -0, -1 …
container "worker" {
  count   = 3
  image   = "busybox"
  command = ["work", "--shard", "${count.index}"]
}
output "names" {
  value = container.worker[*].name
}
