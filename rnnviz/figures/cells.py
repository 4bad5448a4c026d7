"""Figures: cells."""

__all__: list[str] = []
