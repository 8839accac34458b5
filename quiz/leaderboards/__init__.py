"""Live leaderboards in Redis, rebuilt from SQL whenever in doubt."""
