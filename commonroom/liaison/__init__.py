"""What families send the office to act on (absence reports, changes of details) and the school's uptake figures."""
