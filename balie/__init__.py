"""balie: the intake desk of Welzijnswerk Midden-Drenthe."""

__version__ = "0.1.0"
