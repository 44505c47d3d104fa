"""Textual screens of balie, one module per screen with its stylesheet beside it."""
