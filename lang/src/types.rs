//! Type constraints (`variable` types) and conversions. (Being written.)
