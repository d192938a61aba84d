"""``python -m calc_py``: see :mod:`calc_py.cli`."""
import sys

from .cli import main

sys.exit(main())
