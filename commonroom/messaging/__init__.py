"""Two-way messages between families and the school, the shared inbox, and broadcasts to a group's parents."""
