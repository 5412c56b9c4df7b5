# block labels are plain strings
variable "${x}" {}
