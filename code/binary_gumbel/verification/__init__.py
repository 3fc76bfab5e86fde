"""The verification layer: SymPy derivations, the note's claims and their verdicts, the
statistics every Monte Carlo check uses, and the checks of the samplers.

It imports the core (``binary_gumbel``) and nothing above it. Importing this package loads
none of its modules; import the one you need, e.g. ``from binary_gumbel.verification import
derivation``.
"""
