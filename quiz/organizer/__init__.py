"""The organizer console: setting up contests, leagues and rounds."""
