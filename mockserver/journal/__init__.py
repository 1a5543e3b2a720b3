"""What clients did: the request journal, the mistakes the mock noticed, and diagnostics."""
