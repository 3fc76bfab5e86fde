"""The arguments every function of the hard concrete gate takes, and their checks.

The default stretch of Louizos, Welling & Kingma (2018), :data:`GAMMA` and :data:`ZETA`;
the conversion, check and broadcast of ``(logit, tau, gamma, zeta)`` (and of any further
array argument) in one dtype; and the log-odds of the binary Concrete sample ``s`` at
which the stretched sample ``gamma + (zeta - gamma) s`` is 0 and 1, from which the law
(:mod:`binary_gumbel.hard_concrete.law`) and the moments
(:mod:`binary_gumbel.hard_concrete.moments`) are assembled.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel._validation import (
    as_float_array,
    broadcast,
    check_no_nan,
    check_stretch,
    check_tau,
    result_dtype,
)

#: The stretch Louizos et al. (2018) use: (gamma, zeta) = (-0.1, 1.1).
GAMMA, ZETA = -0.1, 1.1


def _params(logit, tau, gamma, zeta, **extra):
    """Convert, check and broadcast ``(*extra, logit, tau, gamma, zeta)`` in one dtype."""
    dtype = result_dtype(**extra, logit=logit, tau=tau, gamma=gamma, zeta=zeta)
    checked = {k: check_no_nan(as_float_array(v, k, dtype), k) for k, v in extra.items()}
    checked["logit"] = check_no_nan(as_float_array(logit, "logit", dtype), "logit")
    checked["tau"] = check_tau(tau, dtype)
    checked["gamma"], checked["zeta"] = check_stretch(gamma, zeta, dtype)
    return broadcast(**checked)


def _log_odds_zero(gamma, zeta):
    """``log(-gamma / zeta)``: the log-odds of ``s`` at which the stretched sample is 0."""
    return np.log(-gamma) - np.log(zeta)


def _log_odds_one(gamma, zeta):
    """``log((1 - gamma) / (zeta - 1))``: the log-odds of ``s`` at which it is 1."""
    return np.log1p(-gamma) - np.log(zeta - 1)
