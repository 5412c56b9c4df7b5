//! Docker provider.
