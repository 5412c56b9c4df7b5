//! The built-in functions of LANGUAGE.md §6. (Being written.)
