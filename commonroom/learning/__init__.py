"""The learning platform: course spaces for every teaching group, homework and assignments."""
