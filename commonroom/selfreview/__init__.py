"""The self-review framework: frameworks as data, e-maturity reviews, and what follows from them."""
