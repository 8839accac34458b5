"""Live games: host-paced rounds for event halls (docs/live-games.md)."""
