"""RELAX on the toy problem: the learned control variate ``c_phi`` and its estimator.

On the book's toy problem (:mod:`binary_gumbel.estimators.gradients`) with the noise
``z``, ``b``, ``z~`` of :mod:`binary_gumbel.estimators.toy_noise` (two uniforms per estimate):

- RELAX (Grathwohl et al. 2018, arXiv:1711.00123), with a learned control
  variate ``c_phi(z)`` in place of ``eta f(s_l(z))``::

      [f(b) - c_phi(z~)] (b - p) + d/dtheta c_phi(z) - d/dtheta c_phi(z~).

  Here ``c_phi(z) = eta f(s_l(z)) + r(z)`` with
  ``r(z) = d + sum_j a_j tanh(omega_j z + beta_j)``, a network with one hidden layer of
  ``H`` tanh units (5 by default). ``phi = (eta, log lambda, d, a, omega, beta)``, in
  that order, is a flat vector of ``3 + 3 H`` numbers (:class:`PhiLayout`). This
  is a variant of the authors' toy (``rebar_toy.py`` in github.com/duvenaud/relax,
  ``Q_func`` with ``main(relaxed="super")``, lines 428 and 548, the second commented out), whose
  control variate is the network alone, without the Concrete term or ``eta``: 10 tanh
  units that read the relaxed sample ``2 s_l(z) - 1`` rather than ``z``, scaled by a
  trainable factor that starts at 0 (their RELAX starts as REINFORCE, this one as REBAR).

RELAX is unbiased for every ``phi``, as REBAR (:mod:`binary_gumbel.estimators.rebar`) is for
every ``eta`` and ``lambda``: the three
control-variate terms have mean zero, because mixing the two conditional laws
of ``z~`` gives back the law of ``z``; the chapter proves it.

The parameters ``phi`` are trained, as in the RELAX paper (Algorithm 1), by descending the
single-sample estimate ``2 g dg/dphi`` of the gradient of the estimator's
variance (its mean does not depend on ``phi``, so ``d Var / d phi = E[2 g dg/dphi]``).

Why the derivatives here are analytic, not automatic: the control variate is a
scalar function of a scalar ``z`` with ``3 + 3 H`` parameters, and the training
signal needs only ``c``, ``dc/dz`` and their ``phi``-gradients, a dozen lines of
closed-form expressions. Writing them out keeps the book free of an autodiff
framework (JAX or PyTorch would be a new, large dependency of the pinned
toolchain and would dominate the chapter's start-up time), keeps the training
loop vectorised over independent seeded runs in plain NumPy, and the tests
check every derivative against central finite differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    check_count,
    check_no_nan,
    check_tau,
    finite_float64,
    finite_number,
    single_number,
)
from binary_gumbel.estimators.toy_noise import ToyNoise, toy_noise

__all__ = [
    "REFERENCE_PHI",
    "PhiLayout",
    "control_variate",
    "control_variate_terms",
    "initial_phi",
    "relax",
    "relax_and_phi_gradient",
    "relax_estimate",
]


@dataclass(frozen=True)
class PhiLayout:
    """Where each parameter of ``c_phi`` sits in the flat vector ``phi`` (``hidden = H``)."""

    hidden: int

    @property
    def size(self) -> int:
        return 3 + 3 * self.hidden

    def split(self, phi: np.ndarray):
        """``eta, log_lambda, d, a, omega, beta`` of ``phi`` (last axis ``size``), as views."""
        h = self.hidden
        return (
            phi[..., 0],
            phi[..., 1],
            phi[..., 2],
            phi[..., 3 : 3 + h],
            phi[..., 3 + h : 3 + 2 * h],
            phi[..., 3 + 2 * h :],
        )


def _one_target(target) -> float:
    """``target`` as a float: one finite number (``ValueError`` naming it otherwise)."""
    return finite_number(target, "target")


def _check_phi(phi) -> tuple[np.ndarray, PhiLayout]:
    phi = finite_float64(phi, "phi")
    if phi.ndim < 1 or phi.shape[-1] < 3 or (phi.shape[-1] - 3) % 3:
        raise ValueError(f"phi must have a last axis of length 3 + 3 H; got shape {phi.shape}")
    return phi, PhiLayout((phi.shape[-1] - 3) // 3)


def _over_lambda(x: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``x / lambda``, where ``lam = exp(log lambda)`` for any finite ``log lambda``.

    Beyond the doubles' range ``lam`` has rounded to ``inf`` (``log lambda > 709.78``) or to
    ``0`` (below about ``-745``), and a quotient may round to ``±inf``. There every entry
    takes the value it has for every ``lambda`` that is a double: ``0`` where ``x = 0`` and
    ``x`` where ``x = ±inf``; a finite ``x`` over an overflowed ``lambda`` gives 0, over an
    underflowed one ``±inf``, the limits. Elsewhere this is the plain quotient, bit for bit.
    """
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = x / lam
    if np.all(np.isfinite(out)):
        return out
    return np.where(x == 0, 0.0, np.where(np.isinf(x), x, out))


def _ordinary(z: np.ndarray, lam: np.ndarray) -> bool:
    """Whether every ``z`` is finite, every ``lambda`` a positive double and every
    ``|z| / lambda`` below ``1e300``: then no product in :func:`control_variate_terms`
    meets an infinity and no quotient by ``lambda`` is 0 over 0 or inf over inf, and the
    plain operations give the guarded ones' values (a zero may differ in sign)."""
    smallest = float(lam.min(initial=np.inf))  # an empty batch has no lambda to guard
    if not (smallest > 0 and float(lam.max(initial=0.0)) < np.inf):
        return False
    # An infinite ``z`` makes the largest ``|z|`` infinite, and no number is above that.
    return float(np.abs(z).max(initial=0.0)) < 1e300 * smallest


def control_variate_terms(
    phi: np.ndarray, layout: PhiLayout, z: np.ndarray, target, grads: bool, rows=None, dz=None
):
    """On checked arrays: ``c(z), dc/dz`` and, if ``grads``, their ``phi``-gradients.

    ``phi`` has shape ``(..., P)`` and ``z`` shape ``(..., m)``; the gradients have
    shape ``(..., P, m)`` (the parameter axis is -2), or only the parameters where the
    boolean mask ``rows`` (length ``P``, whole blocks of :meth:`PhiLayout.split`) is
    true. The network is evaluated only when it contributes: when some output weight
    ``a`` is non-zero or a gradient of ``a``, ``omega`` or ``beta`` is asked for (with ``a = 0``
    it adds exactly 0).

    The extremes give their limits, with no warning: any finite ``log lambda``, including
    temperatures beyond the doubles' range (:func:`_over_lambda`), and ``z = ±inf``, the
    sample of a uniform at 0 or 1, where a factor that is exactly 0 meets an infinite one
    (:func:`binary_gumbel._kernels.times`). At ``z = 0`` as ``lambda -> 0`` there is no
    finite limit: ``dc/dz`` and its gradients in ``eta`` and ``log lambda`` are ``±inf``
    there, and so is RELAX's estimate where ``z`` is 0 (at ``z~ = 0`` its factor
    ``dz~/dtheta`` is 0 too, and the product is 0).

    With ``dz`` (shaped as ``z``, ``0 <= dz <= |z|``: RELAX's ``dz~/dtheta`` at ``z = z~``)
    the slope and its gradients come back multiplied by ``dz``, each Concrete term
    ``x / lambda`` as ``x (dz / lambda)``. ``dz / lambda`` is at most ``|q|``, ``q = z /
    lambda``, and ``x`` falls as ``exp(-|q|)``, so ``dz dc/dz`` stays finite where ``dc/dz``
    alone is beyond the largest double at a tiny ``lambda`` (its Concrete part is at most
    ``0.448 |eta| max(|t|, |1 - t|)``, since ``|q| s(q) s(-q) <= 0.224``). These products are
    rounded in another order than ``dz`` times the plain slope, so :func:`relax_estimate`
    takes them only where that slope overflowed.
    """
    # Shapes (..., 1) for the scalars and (..., H, 1) for a, omega and beta.
    eta, log_lam, d, a, omega, beta = (x[..., None] for x in layout.split(phi))
    h = layout.hidden
    if rows is None:
        keep = [True] * layout.size
    else:
        rows = np.asarray(rows, dtype=bool)
        if rows.shape != (layout.size,):
            raise ValueError(f"rows must be a mask of shape ({layout.size},); got {rows.shape}")
        keep = rows.tolist()
    block = [keep[0], keep[1], keep[2], any(keep[3 : 3 + h]), any(keep[3 + h : 3 + 2 * h])]
    block.append(any(keep[3 + 2 * h :]))
    with np.errstate(over="ignore"):  # inf beyond the doubles (and 0 below): _over_lambda
        lam = np.exp(log_lam)
    if _ordinary(z, lam):  # the plain operations, with nothing to guard against

        def over(x):
            with np.errstate(over="ignore"):  # beyond the largest double: inf, as below
                return x / lam

        times = np.multiply
    else:

        def over(x):
            return _over_lambda(x, lam)

        times = _kernels.times
    if dz is None:
        per_lambda = over  # a Concrete term's numerator x to x / lambda
    else:  # the products with dz as relax_estimate forms them: silent beyond the doubles
        dz_per_lambda = over(dz)

        def per_lambda(x):
            return _kernels.times(x, dz_per_lambda)

    q = over(z)
    s, k = _kernels.sigmoid_and_slope(q)
    gap = s - target
    value = eta * gap**2 + d
    slope = per_lambda(eta * 2 * gap * k)
    network = bool((a != 0).any()) or (grads and any(block[3:]))
    if network:
        zz = z[..., None, :]  # (..., 1, m)
        hidden_out = np.tanh(times(omega, zz) + beta)  # (..., H, m)
        sech2 = 1 - hidden_out**2
        value = value + np.sum(a * hidden_out, axis=-2)
        network_slope = np.sum(a * omega * sech2, axis=-2)
        slope = slope + (network_slope if dz is None else _kernels.times(dz, network_slope))
    if not grads:
        return value, slope, None, None
    # The Concrete part: with q = z / lambda, dq / dlog(lambda) = -q. Each row is computed
    # only if it is asked for (a learned baseline asks for d's alone).
    g = 2 * gap * k  # d f(sigmoid(q)) / dq

    def log_lambda_slope():
        dg = 2 * k * (k + gap * (1 - 2 * s))  # d g / dq
        return per_lambda(eta * (-times(dg, q) - g))

    value_rows = [
        lambda: (gap**2)[..., None, :],
        lambda: (eta * 2 * gap * -times(k, q))[..., None, :],  # k q = 0 where q = ±inf (k = 0)
        lambda: np.ones_like(z)[..., None, :],
    ]
    slope_rows = [
        lambda: per_lambda(g)[..., None, :],
        lambda: log_lambda_slope()[..., None, :],
        lambda: np.zeros_like(z)[..., None, :],
    ]
    if network and any(block[3:]):
        zs = times(sech2, zz)
        a_sech2 = a * sech2  # d value / d beta, and a term of d slope / d omega
        value_rows += [lambda: hidden_out, lambda: times(a, zs), lambda: a_sech2]
        slope_rows += [
            lambda: omega * sech2,
            lambda: a_sech2 - times(2 * a * omega, zs) * hidden_out,
            lambda: -2 * a * omega * sech2 * hidden_out,
        ]
    d_value = np.concatenate([f() for f, on in zip(value_rows, block, strict=False) if on], axis=-2)
    d_slope = np.concatenate([f() for f, on in zip(slope_rows, block, strict=False) if on], axis=-2)
    if dz is not None:  # the rows after eta's and log lambda's have no 1 / lambda
        concrete = int(block[0]) + int(block[1])
        d_slope[..., concrete:, :] = _kernels.times(dz[..., None, :], d_slope[..., concrete:, :])
    return value, slope, d_value, d_slope


def control_variate(z, phi, target):
    """``c_phi(z)``, ``dc_phi/dz``, and their gradients with respect to ``phi``.

    ``phi`` is one flat parameter vector (:class:`PhiLayout`); ``z`` is an array of
    logit-space samples (``±inf`` allowed, NaN refused: ``ValueError`` naming ``z``) and
    ``target`` one number. Returns ``(c, dc/dz, dc/dphi, d(dc/dz)/dphi)``, the last
    two with the parameter axis first (shape ``(P,) + z.shape``).
    """
    phi, layout = _check_phi(phi)
    if phi.ndim != 1:
        raise ValueError(f"phi must be one parameter vector; got shape {phi.shape}")
    z = check_no_nan(as_float_array(z, "z", np.float64), "z")
    target = _one_target(target)
    flat = z.reshape(1, -1)
    c, dc, dphi, dslope = control_variate_terms(phi[None, :], layout, flat, target, True)
    shape = z.shape
    return (
        c.reshape(shape)[()],
        dc.reshape(shape)[()],
        dphi[0].reshape((layout.size,) + shape),
        dslope[0].reshape((layout.size,) + shape),
    )


def relax_estimate(phi, layout: PhiLayout, noise: ToyNoise, grads: bool, rows=None):
    """RELAX's estimates ``g`` (and ``dg/dphi`` if ``grads``) from drawn noise, unchecked.

    ``phi`` has shape ``(..., P)``, the fields of ``noise`` shape ``(..., m)`` and its
    ``target`` is one number; ``rows`` as in :func:`control_variate_terms`. The checked
    forms are :func:`relax` and :func:`relax_and_phi_gradient`; the training loop of
    :mod:`binary_gumbel.estimators.relax_training` calls this once per step.

    The term ``dz~/dtheta dc/dz(z~)`` and its gradients are finite at every temperature
    (``dz~/dtheta <= |z~|``) though ``dc/dz(z~)`` grows as ``1 / lambda``: where that slope
    is beyond the largest double they are formed as :func:`control_variate_terms` does with
    ``dz``, so that the estimate is its ``dc/dz(z)`` term (``±inf`` where that is beyond the
    doubles) and not ``inf - inf``. One test for an infinite slope skips that work elsewhere.
    """
    _, target, z, b, p, zt, dzt = noise
    # One call on (z~, z) side by side: half the per-call overhead of the training loop.
    m = zt.shape[-1]
    both = np.concatenate([zt, z], axis=-1)
    c, dc, dphi, dslope = control_variate_terms(phi, layout, both, target, grads, rows)
    c_zt, dc_zt, dc_z = c[..., :m], dc[..., :m], dc[..., m:]
    dslope_zt = None
    if grads:
        dphi_zt, dslope_zt, dslope_z = dphi[..., :m], dslope[..., :m], dslope[..., m:]
    pathwise_zt = _kernels.times(dzt, dc_zt)
    pathwise_rows = _kernels.times(dzt[..., None, :], dslope_zt) if grads else None
    # Only the Concrete rows, eta's and log lambda's, first in d_slope, have a 1 / lambda.
    if np.isinf(dc_zt).any() or (grads and np.isinf(dslope_zt[..., :2, :]).any()):
        pathwise_zt, pathwise_rows = _pathwise_where_overflowed(
            phi, layout, noise, rows, dc_zt, pathwise_zt, dslope_zt, pathwise_rows
        )
    score = b - p
    g = ((b - target) ** 2 - c_zt) * score + dc_z - pathwise_zt
    if not grads:
        return g, None
    dg = -_kernels.times(score[..., None, :], dphi_zt) + dslope_z - pathwise_rows
    return g, dg


def _pathwise_where_overflowed(
    phi, layout: PhiLayout, noise: ToyNoise, rows, slope, product, d_slope=None, d_product=None
):
    """RELAX's ``dz~ dc/dz(z~)`` (``product``, from ``slope = dc/dz(z~)``) and its
    ``phi``-gradients (``d_product``, from ``d_slope``; ``None`` without gradients), each
    entry whose slope overflowed replaced by the product :func:`control_variate_terms` forms
    with ``dz = dz~``.

    ``dz~ <= |z~|`` keeps a product finite where its slope alone is beyond the largest double
    (``dc/dz`` grows as ``1 / lambda`` near ``z~ = 0`` at a tiny temperature); where the slope
    is finite the product is kept, with its bits.
    """
    grads = d_slope is not None
    _, along, _, d_along = control_variate_terms(
        phi, layout, noise.z_tilde, noise.target, grads, rows, noise.dz_tilde
    )
    product = np.where(np.isinf(slope), along, product)
    if grads:
        d_product = np.where(np.isinf(d_slope), d_along, d_product)
    return product, d_product


def _relax_checked(theta, target, u, v, phi, grads: bool):
    phi, layout = _check_phi(phi)
    if phi.ndim != 1:
        raise ValueError(f"phi must be one parameter vector; got shape {phi.shape}")
    target = _one_target(target)
    noise = toy_noise(theta, target, u, v)
    shape = noise.z.shape
    flat = ToyNoise(*(np.reshape(x, (1, -1)) for x in noise))._replace(target=target)
    g, dg = relax_estimate(phi[None, :], layout, flat, grads)
    return g.reshape(shape)[()], None if dg is None else dg[0].reshape((layout.size,) + shape)


def relax(theta, target, u, v, phi):
    """RELAX estimates of ``dL/dtheta`` with the control variate ``c_phi``, one per ``(u, v)``.

    ``theta``, ``u`` and ``v`` broadcast together; ``target`` is one number and
    ``phi`` one flat parameter vector (:class:`PhiLayout`). Unbiased for every ``phi``.
    """
    return _relax_checked(theta, target, u, v, phi, grads=False)[0]


def relax_and_phi_gradient(theta, target, u, v, phi):
    """RELAX estimates ``g`` and ``dg/dphi`` (parameter axis first), for the variance gradient.

    The single-sample estimate of ``d Var(g) / d phi`` is ``2 g dg/dphi``.
    """
    return _relax_checked(theta, target, u, v, phi, grads=True)


def initial_phi(hidden: int = 5, eta: float = 1.0, temperature: float = 0.5, rng=None):
    """The starting ``phi``: REBAR's Concrete term (``eta``, ``temperature``) plus ``r = 0``.

    The hidden weights ``omega`` and biases ``beta`` are standard normal draws from
    ``rng``; the output weights ``a`` and the bias ``d`` are 0, so that ``c_phi``
    starts as REBAR's control variate.
    """
    hidden = check_count(hidden, "hidden", 1)
    t = single_number(check_tau(temperature, np.float64, "temperature"), "temperature")
    rng = as_generator(rng)
    layout = PhiLayout(hidden)
    phi = np.zeros(layout.size)
    phi[0], phi[1] = finite_number(eta, "eta"), math.log(t)
    phi[3 + hidden :] = rng.standard_normal(2 * hidden)
    return phi


#: The fixed ``phi`` of the registry's "RELAX" entry (``registry.ESTIMATORS``): ``eta = 1``,
#: ``log lambda`` replaced by ``log tau`` at the call, ``d = 0.05`` and a five-unit network
#: with the weights below. It is an arbitrary, non-trivial control variate, not a trained one:
#: RELAX is unbiased for every ``phi``, and the registry entry is there to test that.
REFERENCE_PHI = np.array(
    [1.0, 0.0, 0.05]
    + [0.10, -0.05, 0.08, -0.10, 0.05]  # a
    + [-2.0, -1.0, 0.5, 1.0, 2.0]  # omega
    + [0.5, -0.5, 0.0, 0.25, -0.25]  # beta
)
REFERENCE_PHI.flags.writeable = False
