


network "front" {

  driver = "bridge"



  internal = false


}
network "back" {
  driver = "bridge"
}


volume "data" {
  driver = "local"

}
volume "logs" {}
image "a" { ref = "a:1" }
image "b" { ref = "b:1" }



