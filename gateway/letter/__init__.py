"""Letters: PDF rendering for window envelopes, batches for printing."""
