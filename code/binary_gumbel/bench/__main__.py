"""``python -m binary_gumbel.bench``."""

import sys

from binary_gumbel.bench.cli import main

sys.exit(main())
