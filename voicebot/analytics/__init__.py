"""Operations analytics: per-step facts derived from call records, step reports, drift, usage, review."""
