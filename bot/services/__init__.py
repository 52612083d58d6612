"""Channel-independent services: take a unit of work and plain values, return plain results."""
