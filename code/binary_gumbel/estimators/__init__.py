"""The estimators layer: gradient estimators through binary variables and what they train.

The toy objectives, the simple estimators, REBAR and RELAX, the typed registry and the
statistics of estimators, SGD and Adam, L0 gates and sparse regression, and the model with
binary latents. It imports the core and :mod:`binary_gumbel.verification`, nothing above.
Importing this package loads none of its modules.
"""
