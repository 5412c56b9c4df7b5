domain = "blog.example.org"
authors = [
  { name = "Ada", email = "ada@example.org" },
  { name = "Linus", email = "linus@example.org" },
]
admin_password = "correct horse battery staple"
