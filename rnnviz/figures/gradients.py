"""Figures: gradients."""

__all__: list[str] = []
