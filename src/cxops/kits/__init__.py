"""Domain kits: optional add-ons for particular kinds of customer centers."""
