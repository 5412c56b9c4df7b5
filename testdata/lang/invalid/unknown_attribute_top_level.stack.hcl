# attributes cannot sit at the top level of a stack
name = "shop"
