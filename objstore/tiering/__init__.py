"""The tierer: moves objects between storage policies by reads and by S3
lifecycle rules (docs/tiering.md)."""
