"""merit's benchmark suite: `make bench` runs `python -m bench.run` and writes bench/RESULTS.md."""
