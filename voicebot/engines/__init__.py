"""Speech engines behind small protocols; one module per backend, heavy SDKs imported lazily."""
