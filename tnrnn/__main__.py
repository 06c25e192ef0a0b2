"""``python -m tnrnn`` runs the ``tnrnn`` command."""

import sys

from .cli import main

sys.exit(main())
