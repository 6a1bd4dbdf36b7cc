"""The parent portal: one page per child, school events, the private calendar feed."""
