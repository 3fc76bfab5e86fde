"""Adam, the optimiser the book's training loops share.

Kingma & Ba (2015), "Adam: a method for stochastic optimization", arXiv:1412.6980,
Algorithm 1. With gradient ``g`` at step ``k``,

    m <- beta1 m + (1 - beta1) g,        v <- beta2 v + (1 - beta2) g^2,
    update = lr (m / (1 - beta1^k)) / (sqrt(v / (1 - beta2^k)) + eps),

and the caller subtracts ``update`` from its parameters. Each parameter array
has its own :class:`Adam`; its moments have that array's shape.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel._validation import as_float_array, check_finite, finite_number

__all__ = ["BETA1", "BETA2", "EPS", "LARGEST_GRAD", "TINY", "Adam"]

#: The largest gradient Adam takes, ``2**511`` (about 6.7e153), half the root of the largest
#: double: the second moment ``v`` and its bias-corrected value are weighted averages of
#: squares of at most a quarter of the largest double, so they stay doubles after rounding.
LARGEST_GRAD = 2.0**511

#: Adam's defaults (Kingma & Ba 2015, Algorithm 1). ``BETA2`` averages ``g**2`` over about
#: the last ``1 / (1 - BETA2)`` steps; ``EPS`` guards against dividing by a zero second
#: moment, and once ``|g|`` is not much above it, ``EPS`` rather than the gradient sets the step.
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8

#: The smallest normal double, about 2.2e-308: a second moment below it has lost digits.
TINY = float(np.finfo(np.float64).tiny)


class Adam:
    """Adam with the defaults :data:`BETA1`, :data:`BETA2` and :data:`EPS`.

    ``beta1`` and ``beta2``, the decays of the first and second moment estimates, are in
    ``[0, 1)``; ``beta2 = 0`` keeps no memory (``v`` is the last ``g**2``). The
    ``learning_rate`` is a finite number ``> 0`` and ``eps`` a finite number ``>= 0``.
    Each is one number; ``ValueError`` naming it otherwise (``TypeError`` for non-numbers).

    A gradient is an array of real numbers of the optimiser's ``shape``, each finite and of
    magnitude at most :data:`LARGEST_GRAD` (about 6.7e153), near the largest number whose
    square, which the second moment ``v`` holds, is a double. With ``eps = 0`` the update of a
    coordinate whose gradients have all been 0 is 0, the limit as ``eps -> 0`` (``m = 0``);
    a step that leaves ``v`` below the smallest normal double (:data:`TINY`, where ``v`` keeps
    fewer digits, and 0 at the last) with ``m != 0``, as a first gradient below about
    ``sqrt(TINY / (1 - beta2))`` (4.7e-153 at the default ``beta2``) does, has an update that
    ``eps = 0`` cannot give to a double's accuracy, and is refused.
    """

    def __init__(self, shape, learning_rate: float, beta1=BETA1, beta2=BETA2, eps=EPS):
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= finite_number(beta, name) < 1:
                raise ValueError(f"{name} must be a number in [0, 1); got {beta!r}")
        lr = finite_number(learning_rate, "learning_rate")
        if not lr > 0:
            raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
        floor = finite_number(eps, "eps")
        if not floor >= 0:
            raise ValueError(f"eps must be a non-negative number; got {eps!r}")
        self.m, self.v, self.k = np.zeros(shape), np.zeros(shape), 0
        self.lr, self.b1, self.b2, self.eps = float(lr), beta1, beta2, float(floor)

    @property
    def m_hat(self) -> np.ndarray:
        """The bias-corrected first moment ``m / (1 - beta1^k)`` after ``k >= 1`` steps."""
        return self._corrected(self.m, self.b1)

    @property
    def v_hat(self) -> np.ndarray:
        """The bias-corrected second moment ``v / (1 - beta2^k)`` after ``k >= 1`` steps: an
        average of the squared gradients so far, that of step ``j`` weighted in proportion
        to ``beta2^(k - j)``."""
        return self._corrected(self.v, self.b2)

    @v_hat.setter
    def v_hat(self, value) -> None:
        """Sets ``v`` so that the bias-corrected second moment is ``value`` (an intervention:
        the next step divides by the root of the average that ``value`` then starts)."""
        corrected = np.asarray(value, dtype=np.float64) * self._correction(self.b2)
        self.v = np.broadcast_to(corrected, self.v.shape).copy()

    def _corrected(self, moment: np.ndarray, beta) -> np.ndarray:
        return moment / self._correction(beta)

    def _correction(self, beta) -> float:
        """``1 - beta^k``, Adam's bias correction after ``k >= 1`` steps."""
        if self.k == 0:
            raise ValueError("the bias-corrected moments need at least one step; none was taken")
        return 1 - beta**self.k

    def step(self, grad) -> np.ndarray:
        """The update for gradient ``grad``, to subtract from the parameters.

        ``grad`` is checked as the class docstring says (``ValueError`` naming it, with the
        shape or the value; ``TypeError`` for non-numbers) before the moments change.
        """
        grad = as_float_array(grad, "grad", np.float64)
        if grad.shape != self.m.shape:
            raise ValueError(
                f"grad must have the optimiser's shape {self.m.shape}; got shape {grad.shape}"
            )
        if not (np.abs(grad) <= LARGEST_GRAD).all():
            raise self._too_large(check_finite(grad, "grad"))
        self.k += 1
        self.m = self.b1 * self.m + (1 - self.b1) * grad
        self.v = self.b2 * self.v + (1 - self.b2) * grad**2
        denominator = np.sqrt(self.v_hat) + self.eps
        if self.eps or (self.v >= TINY).all():  # eps > 0 makes every denominator positive
            return self.lr * self.m_hat / denominator
        return self._update_where_v_is_subnormal(denominator)

    @staticmethod
    def _too_large(grad: np.ndarray) -> ValueError:
        """The error for a finite ``grad`` with an element beyond :data:`LARGEST_GRAD`."""
        worst = grad.flat[int(np.argmax(np.abs(grad)))].item()
        return ValueError(
            f"grad must have |grad| <= 2**511 = {LARGEST_GRAD:.4g}, so that its square, "
            f"which Adam's second moment averages, is a double; got {worst!r}"
        )

    def _update_where_v_is_subnormal(self, denominator: np.ndarray) -> np.ndarray:
        """The update when ``eps = 0`` and ``v < TINY`` somewhere: 0 there if ``m = 0`` (every
        gradient so far 0), refused if not (the squares fell below the smallest normal
        double, where ``v`` has lost digits, or to 0)."""
        small = self.v < TINY
        if np.any(self.m[small] != 0):
            raise ValueError(
                "grad: with eps = 0, Adam's second moment fell below the smallest normal "
                f"double ({TINY:.3g}), where it loses its digits, while its first moment did "
                "not, so the update cannot be computed to a double's accuracy; use eps > 0"
            )
        return self.lr * self.m_hat / np.where(small, 1.0, denominator)
