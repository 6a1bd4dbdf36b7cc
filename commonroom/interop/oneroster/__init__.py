"""OneRoster 1.2 CSV rostering: records, a writer and a hardened reader. Pure Python, no database."""
