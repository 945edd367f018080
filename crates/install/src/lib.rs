//! Verify-while-streaming, safe extraction and atomic placement of release assets.
