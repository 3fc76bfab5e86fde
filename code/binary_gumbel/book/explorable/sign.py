"""The sign explorer: how often b = 1 under the note's Eq. (1), as printed and corrected.

A reader of the errata page moves one slider, the probability ``p``, and sees
the frequency of ``b = 1[x > 1/2]`` for the two forms of Eq. (1),

    as printed (``note.EQ1``):          x = sigmoid(-(logit(p) + log(u / (1 - u))) / tau),
    corrected (``note.CORRECTED_EQ1``): x = sigmoid((logit(p) + log(u / (1 - u))) / tau),

against the note's claim ``P(b = 1) = p``. Every number of every frame is
computed here when the book is built, by
:func:`binary_gumbel.book.demos.exceedance_curve`: each form is evaluated as
written (lambdified, as the verifier does) at ``tau = LIMIT_TAU`` on ``samples``
uniforms ``u`` from ``numpy.random.default_rng(seed)``, the same ``u`` at every
``p`` and for both forms (common random numbers); the count of ``b = 1`` gets a
Clopper-Pearson interval against the claim at the false-alarm rate
:data:`binary_gumbel.verification.montecarlo.DEFAULT_FALSE_ALARM` per interval (two intervals
per frame, so at most ``2 P`` times that rate over the ``P`` frames, by
Bonferroni); and the verdict engine gives each form's exact ``P(b = 1)``. The
event ``x > 1/2`` is ``logit(p) + log(u / (1 - u)) > 0``, or its negation, at
every ``tau > 0``, so ``tau`` does not change ``b``.

The chart's slider selects one precomputed frame
(:mod:`binary_gumbel.book.explorable.chart`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import check_count, check_seed
from binary_gumbel.book.demos import ExceedanceCurve, exceedance_curve
from binary_gumbel.book.explorable.chart import (
    INK,
    Explorer,
    Slider,
    keep_frame,
    open_probabilities,
    rounded,
    styled,
)
from binary_gumbel.book.figures.style import PALETTE
from binary_gumbel.verification.derivation_montecarlo import LIMIT_TAU
from binary_gumbel.verification.note import CORRECTED_EQ1, EQ1
from binary_gumbel.verification.symbolic import p as p_symbol

__all__ = [
    "CLAIM",
    "CORRECTED",
    "PRINTED",
    "SIGN_PROBABILITIES",
    "SignFrames",
    "sign_chart",
    "sign_datasets",
    "sign_explorer",
    "sign_frames",
]

#: The probabilities a reader can choose: 0.05, 0.10, ..., 0.95.
SIGN_PROBABILITIES = np.round(np.arange(1, 20) / 20, 10)
#: The series' names, as the chart's legend and the static figure show them.
PRINTED, CORRECTED = "Eq. (1) as printed", "Eq. (1) corrected"
CLAIM = "claimed: P(b = 1) = p"


@dataclass(frozen=True)
class SignFrames:
    """The precomputed frames of the sign explorer.

    Attributes
    ----------
    probabilities : ndarray, shape (P,)
        The probabilities ``p``, evenly spaced and increasing, in (0, 1).
    curves : dict
        ``{PRINTED: curve, CORRECTED: curve}``, each an
        :class:`~binary_gumbel.book.demos.ExceedanceCurve` at ``probabilities``:
        ``curve.checks[j]`` counts ``b = 1`` in ``samples`` draws at ``p_j``
        (a Clopper-Pearson check against the claim ``p_j``), ``curve.exact[j]``
        is the verdict engine's exact ``P(b = 1)`` and ``curve.claimed[j]`` is
        ``p_j``. The mapping's order is the legend's.
    samples : int
        The number of draws in each frame.
    seed : int
        The seed of every frame's generator.
    tau : float
        The temperature the formulas are evaluated at (any ``tau > 0`` gives the same ``b``).
    """

    probabilities: np.ndarray
    curves: dict[str, ExceedanceCurve]
    samples: int
    seed: int
    tau: float

    @property
    def count(self) -> int:
        """The number of frames, ``P``."""
        return self.probabilities.size


def sign_frames(
    probabilities=SIGN_PROBABILITIES, *, samples: int = 10_000, seed: int = 20261205
) -> SignFrames:
    """Every frame of the sign explorer: the frequency of ``b = 1`` for both forms at each p.

    Parameters
    ----------
    probabilities : array_like, 1-D
        Probabilities ``p`` strictly between 0 and 1, increasing and evenly spaced.
    samples : int
        How many uniforms ``u`` each frame transforms (at least 2).
    seed : int
        The seed of ``numpy.random.default_rng`` for every frame.

    Raises
    ------
    ValueError
        Naming the argument: a probability outside (0, 1), values that are not
        increasing and evenly spaced, or a count below its minimum.
    TypeError
        If ``samples`` or ``seed`` is not an integer.
    """
    probabilities = open_probabilities(probabilities, "probabilities")
    samples = check_count(samples, "samples", minimum=2)
    seed = check_seed(seed)
    points = [{p_symbol: float(q)} for q in probabilities]
    curves = {
        name: exceedance_curve(expr, points, p_symbol, samples, seed=seed)
        for name, expr in ((PRINTED, EQ1), (CORRECTED, CORRECTED_EQ1))
    }
    # exceedance_curve evaluates the formulas at the verifier's LIMIT_TAU.
    return SignFrames(probabilities, curves, samples, seed, float(LIMIT_TAU))


def sign_datasets(frames: SignFrames) -> dict[str, list[dict]]:
    """The chart's data: ``frames``, one record per frame and series.

    Each record is ``{p, series, frequency, low, high, exact, claimed}``: the
    estimate of ``P(b = 1)`` with its interval, the exact probability and the
    claim, rounded to :data:`~binary_gumbel.book.explorable.chart.DECIMALS` decimals.
    """
    if not isinstance(frames, SignFrames):
        raise TypeError(f"frames must be SignFrames; got {type(frames).__name__}")
    records = []
    for name, curve in frames.curves.items():
        checks = curve.checks
        columns = zip(
            frames.probabilities,
            rounded(curve.estimates),
            rounded([c.low for c in checks]),
            rounded([c.high for c in checks]),
            rounded(curve.exact),
            rounded(curve.claimed),
            strict=True,
        )
        records += [
            {"p": float(q), "series": name, "frequency": f, "low": lo, "high": hi}
            | {"exact": e, "claimed": c}
            for q, f, lo, hi, e, c in columns
        ]
    return {"frames": records}


def sign_chart(frames: SignFrames, *, p: float = 0.2):
    """The Vega-Lite chart (an Altair layer chart) of the sign explorer.

    One parameter, ``p``, starts at ``p`` and is bound to a slider over
    ``frames.probabilities``. Over the whole range of ``p`` the chart draws the
    claim ``P(b = 1) = p`` (dashed) and each form's exact ``P(b = 1)`` (thin
    lines); for the frame the slider selects (the filter ``|datum.p - p| <
    step / 2``) it draws each form's frequency of ``b = 1`` with its interval,
    the frequency written beside it, and a rule at ``p``. Colours and marker
    shapes tell the two forms apart.

    Raises
    ------
    ValueError
        If ``p`` is not one of the frames' values.
    """
    import altair as alt

    if not isinstance(frames, SignFrames):
        raise TypeError(f"frames must be SignFrames; got {type(frames).__name__}")
    slider = Slider("p", "probability p ", frames.probabilities)
    param = slider.param(p)

    names = list(frames.curves)
    # The static figure's colours and markers (figures.plot_exceedance), in the same order.
    colours = [PALETTE["blue"], PALETTE["orange"]]
    colour = alt.Scale(domain=[*names, CLAIM], range=[*colours, PALETTE["black"]])
    # One entry a row: three side by side would be wider than a phone's column.
    legend = alt.Legend(title=None, orient="top", direction="vertical", symbolOpacity=1)
    series = alt.Color("series:N", scale=colour, legend=legend)
    shape = alt.Shape(
        "series:N", scale=alt.Scale(domain=names, range=["circle", "square"]), legend=None
    )
    unit = alt.Scale(domain=[0, 1])
    x = alt.X("p:Q", scale=unit, axis=alt.Axis(title="p", values=[0, 0.2, 0.4, 0.6, 0.8, 1]))
    y_axis = alt.Axis(title="frequency of b = 1", values=[0, 0.2, 0.4, 0.6, 0.8, 1])
    base = alt.Chart(alt.Data(name="frames"))
    claim = (
        base.transform_filter(f"datum.series == {json.dumps(names[0])}")
        .transform_calculate(series=json.dumps(CLAIM))
        .mark_line(strokeDash=[6, 4], strokeWidth=1.5)
        .encode(x=x, y=alt.Y("claimed:Q", scale=unit, axis=y_axis), color=series)
    )
    exact = base.mark_line(strokeWidth=1.5, opacity=0.6).encode(
        x=x, y=alt.Y("exact:Q", scale=unit, axis=y_axis), color=series, detail="series:N"
    )
    current = base.transform_filter(keep_frame([slider]))
    where = current.mark_rule(color="#999999", strokeWidth=1).encode(x=x)
    interval = current.mark_rule(strokeWidth=3).encode(
        x=x, y=alt.Y("low:Q", scale=unit, axis=y_axis), y2="high:Q", color=series
    )
    estimate = current.mark_point(filled=True, size=110, opacity=1).encode(
        x=x,
        y=alt.Y("frequency:Q", scale=unit, axis=y_axis),
        color=series,
        shape=shape,
    )
    # The frequency beside its marker, on the side away from the plot's edge.
    label = current.mark_text(
        fontSize=12,
        fontWeight="bold",
        align=alt.ExprRef(f"{slider.name} > 0.5 ? 'right' : 'left'"),
        dx=alt.ExprRef(f"{slider.name} > 0.5 ? -10 : 10"),
        color=INK,
    ).encode(
        x=x,
        y=alt.Y("frequency:Q", scale=unit, axis=y_axis),
        text=alt.Text("frequency:Q", format=".3f"),
    )
    return styled(
        [claim, exact, where, interval, estimate, label],
        [param],
        title=slider.shown("p"),
        description=(
            "Frequency of b = 1 against p for Eq. (1) as printed and as corrected, each with "
            "its interval, at the probability chosen with the slider, over the dashed line of "
            "the claim P(b = 1) = p and each form's exact probability."
        ),
        height=300,
    )


def sign_explorer(frames: SignFrames | None = None, **chart_options) -> Explorer:
    """The sign explorer of ``frames`` (by default :func:`sign_frames` ``()``).

    ``chart_options`` go to :func:`sign_chart` (``p``).
    """
    frames = sign_frames() if frames is None else frames
    text = (
        f"<sign explorer: {frames.count} frames, "
        f"p in {frames.probabilities[0]:g}..{frames.probabilities[-1]:g}, "
        f"{frames.samples} samples each>"
    )
    return Explorer(sign_chart(frames, **chart_options), frames, sign_datasets(frames), text)
