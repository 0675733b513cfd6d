"""Analytics: trends, hotspots and patrol coverage against incident density."""
