"""`import tnrnn` stays light: no matplotlib, torch or tensornetwork."""

import subprocess
import sys


def test_import_does_not_load_heavy_modules():
    code = (
        "import sys, tnrnn\n"
        "heavy = [m for m in ('matplotlib', 'torch', 'tensornetwork') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_exist():
    import tnrnn

    missing = [name for name in tnrnn.__all__ if not hasattr(tnrnn, name)]
    assert missing == []
