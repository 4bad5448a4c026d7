"""Presenter mode: larger type and fewer controls for a projector."""


def apply() -> None:
    """Apply presenter mode when it is on."""
