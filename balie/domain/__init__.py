"""Domain logic that is neither UI nor SQL: rules, parsing, validation, arithmetic.

Nothing in this package imports textual or balie.db (checked by tests/test_layering.py).
"""
