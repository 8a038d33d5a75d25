"""Tools around the data: the synthetic sample and the blank collection template."""
