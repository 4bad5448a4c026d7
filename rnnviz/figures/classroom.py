"""Figures: classroom."""

__all__: list[str] = []
