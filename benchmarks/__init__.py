"""Benchmarks: skipgrad side by side with micrograd and scalar PyTorch (run: python -m benchmarks)."""
