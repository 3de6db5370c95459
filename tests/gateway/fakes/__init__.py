"""Local peers that speak the providers' protocols on 127.0.0.1, for tests and benchmarks."""
