"""Catalog targets of the publisher: read the current state, diff with the desired one, apply."""
