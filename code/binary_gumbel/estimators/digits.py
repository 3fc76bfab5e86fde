"""The data of the binary-latent VAE: scikit-learn's handwritten digits, binarized.

``sklearn.datasets.load_digits`` ships 1,797 images of 8 x 8 pixels with grey
levels 0..16 inside the package (no download); :func:`bundled_file` reads the same
file without importing scikit-learn, and the tests check it against ``load_digits``.

Following the "dynamic binarization" of the VAE benchmarks (Dong, Mnih & Tucker 2020,
"DisARM", arXiv:2006.10680; ``get_dynamic_mnist_batch`` in their
``disarm/binary/dataset.py``, ``tfd.Bernoulli(probs=image / 255.)``), an image with
grey levels ``g`` gives the binary image ``x ~ Bernoulli(g / 16)``, pixel by pixel,
drawn afresh every time a training step uses it.

The train/test split is fixed by a seed. Unlike that code, which binarizes its test
images afresh too, the test images here are binarized once, also from the seed, so
that every evaluation of every run sees the same binary test set (and the exact test
bounds of two runs differ only by their models).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from binary_gumbel._validation import as_generator, check_probability, check_seed

__all__ = ["PIXELS", "Digits", "binarize", "bundled_file", "load"]

#: Pixels per image (8 x 8).
PIXELS = 64


def bundled_file() -> Path:
    """The file ``sklearn.datasets.load_digits`` reads: ``sklearn/datasets/data/digits.csv.gz``.

    Found without importing scikit-learn (whose import costs seconds): 1,797 rows of
    64 grey levels and the digit's label.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise ImportError("scikit-learn is not installed (see requirements.txt)")
    return Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


@cache
def _grey() -> np.ndarray:
    data = np.loadtxt(bundled_file(), delimiter=",")[:, :PIXELS] / 16.0
    data.flags.writeable = False
    return data


@dataclass(frozen=True)
class Digits:
    """The split: ``train`` holds pixel probabilities ``g / 16`` (rows are images),
    ``test`` the test images binarized once (0.0 or 1.0), ``test_probability`` their
    probabilities, and ``train_mean`` the mean training probability per pixel."""

    train: np.ndarray
    test: np.ndarray
    test_probability: np.ndarray
    seed: int

    @property
    def train_mean(self) -> np.ndarray:
        return self.train.mean(axis=0)


def binarize(probability, rng=None) -> np.ndarray:
    """Dynamic binarization: ``x = 1[w < probability]``, ``w ~ Uniform(0, 1)`` per pixel.

    ``probability`` is an array of pixel probabilities in [0, 1] (``ValueError``
    otherwise); the result has its shape and holds 0.0 and 1.0.
    """
    p = check_probability(probability, "probability", np.float64)
    return (as_generator(rng).random(p.shape) < p).astype(np.float64)


def load(test_size: int = 300, seed: int = 0) -> Digits:
    """The digits, split at random by ``seed`` into ``test_size`` test images and the rest.

    The test images are binarized with the generator seeded by ``seed`` too. ``seed`` is a
    non-negative integer (it is recorded in :attr:`Digits.seed`); ``TypeError`` or
    ``ValueError`` naming it otherwise.
    """
    grey = _grey()
    if isinstance(test_size, bool) or not isinstance(test_size, (int, np.integer)):
        raise TypeError(f"test_size must be an integer; got {test_size!r}")
    if not 1 <= test_size < grey.shape[0]:
        raise ValueError(f"test_size must lie in [1, {grey.shape[0]}); got {test_size}")
    seed = check_seed(seed)
    rng = as_generator(seed, "seed")
    order = rng.permutation(grey.shape[0])
    test_p = grey[order[:test_size]]
    return Digits(
        train=grey[order[test_size:]],
        test=binarize(test_p, rng),
        test_probability=test_p,
        seed=int(seed),
    )
