# not loaded: in a subdirectory
this is { not hcl
