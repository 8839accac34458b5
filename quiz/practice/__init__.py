"""Practice between contests: free practice, the wrong-answer book and the daily set."""
