"""Measuring the tracker against its own floor: ``make bench``. See BENCHMARKS.md."""
