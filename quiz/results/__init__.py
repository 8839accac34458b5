"""Running a round's end: live monitor, freeze, close, publish, results and statistics."""
