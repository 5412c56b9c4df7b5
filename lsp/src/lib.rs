//! The stackc language server (`stackc lsp`).
