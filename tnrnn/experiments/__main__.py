"""``python -m tnrnn.experiments ses|copy ...``."""

import sys

from .cli import main

sys.exit(main())
