"""Execute the chapters in parallel, one kernel per core, before Sphinx reads them.

MyST-NB's cached execution runs each notebook when Sphinx reads its page, one
after another. Before the read starts (``env-before-read-docs``), this
extension reads every notebook page that is about to be read exactly as MyST-NB
will (its own reader, and the prose cell of ``prose_values``), looks each one
up in the execution cache, and executes the missing ones concurrently, as many
kernels at a time as the machine has cores. Each executed notebook goes into
the cache under the key MyST-NB computes, so that the read that follows finds
every chapter there and starts no kernel of its own. A notebook that fails is
left out of the cache: MyST-NB then executes it again while reading, and
reports its error as it always does (a failing build).

The note's verifier (``binary_gumbel.verification.derivation``) is the most expensive
computation that several chapters share. It runs once, first, in a kernel of
its own, and stores its results under a key made of the library's source (see
``binary_gumbel.verification.results_cache``); the chapters that show verdicts start after
it and load them. Every kernel gets ``BINARY_GUMBEL_RESULTS_CACHE`` pointing at
that store; a student's kernel does not, and computes everything itself.

Kernels talk to the build over Unix sockets, not TCP, so
the build log carries no "running over TCP without encryption" warning. Each kernel's
linear algebra runs on one thread (:data:`ONE_THREAD`, unless the environment says
otherwise), since the kernels already take one core each: with OpenBLAS's default of a
thread per core, two kernels' matrix products contended for the two cores (the VAE
training chapter took 10.2 s instead of 8.7 s on two cores).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

import myst_nb_adapter
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the shared results are stored, under the build folder.
RESULTS = "_build/.results_cache"
#: A chapter whose source names one of these uses the verifier's results.
USES_VERDICTS = ("verify_all", "verify_claim")
#: The kernels' thread counts for linear algebra: one, as each kernel has a core of its own.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: The command that fills the results store with the verifier's results.
VERIFIER = "from binary_gumbel.verification import derivation\n\nderivation.verify_all()"


def _notebooks(env, docnames):
    """``(docname, path, notebook)`` of each notebook page in ``docnames``, as MyST-NB reads it."""
    found = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if path.suffix != ".md":
            continue
        notebook = myst_nb_adapter.read_notebook(env, path, path.read_text(encoding="utf-8"))
        if notebook is not None:
            found.append((docname, path, notebook))
    return found


async def execute_notebook(notebook, path: Path, timeout, env: dict):
    """Execute ``notebook`` in a fresh kernel in ``path``'s folder; return the seconds taken."""
    from nbclient import NotebookClient
    from traitlets.config import Config

    sockets = tempfile.mkdtemp(prefix="kernel-")  # each kernel its own Unix sockets

    client = NotebookClient(
        notebook,
        timeout=timeout,
        record_timing=False,  # timings in the cells' metadata would change the cache key
        resources={"metadata": {"path": str(path.parent)}},
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
        config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/ipc"}}),
    )
    start = time.perf_counter()
    try:
        await client.async_execute(env=env)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return time.perf_counter() - start


def _verifier_notebook():
    """A one-cell notebook that runs the verifier, which stores its results for the others."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(VERIFIER)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return notebook


async def _run_all(jobs, timeout, root: Path, cores: int):
    """Run the verifier, then the notebooks, ``cores`` at a time; return each outcome.

    An outcome is the seconds a notebook took, or the exception that stopped it.
    """
    slots = asyncio.Semaphore(cores)
    verified = asyncio.Event()
    env = {**ONE_THREAD, **os.environ, "BINARY_GUMBEL_RESULTS_CACHE": str(root / RESULTS)}
    outcomes = {}

    def uses_verdicts(path: Path) -> bool:
        return any(name in path.read_text(encoding="utf-8") for name in USES_VERDICTS)

    async def verifier():
        try:
            if any(uses_verdicts(path) for _, path, _ in jobs):
                async with slots:
                    await execute_notebook(_verifier_notebook(), root / "conf.py", timeout, env)
        except Exception:  # each chapter then runs the verifier itself, and reports the error
            pass
        finally:
            verified.set()

    async def chapter(docname, path, notebook):
        if uses_verdicts(path):
            await verified.wait()
        async with slots:
            try:
                outcomes[docname] = await execute_notebook(notebook, path, timeout, env)
            except Exception as error:  # reported again, in full, when MyST-NB reads the page
                outcomes[docname] = error

    await asyncio.gather(verifier(), *(chapter(*job) for job in jobs))
    return outcomes


def _execute_outdated(app, env, docnames):
    config = myst_nb_adapter.nb_config(env)
    if config.execution_mode != "cache" or not docnames:
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(config.execution_cache_path or ".jupyter_cache")
    jobs = []
    for docname, path, notebook in _notebooks(env, sorted(docnames)):
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            jobs.append((docname, path, notebook))
    if not jobs:
        return
    cores = max(1, min(len(jobs), os.cpu_count() or 1))
    logger.info(f"executing {len(jobs)} notebooks, {cores} at a time")
    start = time.perf_counter()
    outcomes = asyncio.run(_run_all(jobs, config.execution_timeout, Path(app.confdir), cores))
    for docname, path, notebook in jobs:
        outcome = outcomes.get(docname)
        if isinstance(outcome, float):
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, str(path), data={"execution_seconds": outcome}),
                check_validity=False,
                overwrite=True,
            )
            logger.info(f"executed {docname} in {outcome:.1f} s")
        else:
            logger.info(f"{docname} failed to execute; it is executed again as it is read")
    logger.info(f"executed the notebooks in {time.perf_counter() - start:.1f} s")


def setup(app):
    app.setup_extension("myst_nb")
    app.setup_extension("prose_values")
    app.connect("env-before-read-docs", _execute_outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
