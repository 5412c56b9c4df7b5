upstream app {
%{ for u in upstreams ~}
  server ${u}:${port};
%{ endfor ~}
}
