"""Playing a round: attempts, the drawn questions and the answers."""
