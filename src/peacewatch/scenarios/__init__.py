"""Built-in scenarios: historical data with sources, and seeded generators of synthetic activity."""
