"""Figures: unfold."""

__all__: list[str] = []
