"""Sample texts the live tests embed: distinct topics, so the right one wins a near-text or hybrid search."""

DOCS = [
    "The quick brown fox jumps over the lazy dog",
    "A recipe for tomato soup with basil",
    "Stock markets fell sharply on Monday",
    "Penguins live in the cold southern oceans",
    "How to tune a guitar by ear",
]
