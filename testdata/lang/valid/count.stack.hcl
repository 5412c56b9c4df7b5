container "worker" {
  count   = 3
  image   = "busybox"
  command = ["work", "--shard", "${count.index}"]
}
output "names" {
  value = container.worker[*].name
}
