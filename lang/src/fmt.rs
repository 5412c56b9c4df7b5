//! The formatter: canonical style for stack files. (Being written.)
