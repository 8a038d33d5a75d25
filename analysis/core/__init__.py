"""Lowest layer: the indicator catalog, the one aggregation, labels, number formatting, trends."""
