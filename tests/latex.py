"""Whether this machine can compile the TikZ figures: pdflatex with the standalone class."""

import shutil
import subprocess


def latex_ready() -> bool:
    """pdflatex and kpsewhich are installed and kpsewhich finds ``standalone.cls``."""
    if not shutil.which("pdflatex") or not shutil.which("kpsewhich"):
        return False
    out = subprocess.run(["kpsewhich", "standalone.cls"], capture_output=True, text=True)
    return bool(out.stdout.strip())
