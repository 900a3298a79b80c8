"""The benchmark suite behind `make bench` (docs/performance.md)."""
