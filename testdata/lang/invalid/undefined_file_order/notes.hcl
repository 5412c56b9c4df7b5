# not loaded: not a .stack.hcl file
garbage {{{
