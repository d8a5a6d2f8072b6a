"""terrain.kernels' cache set-up: a read-only install without a writable HOME still runs every kernel.

Each check runs in a fresh interpreter on a copy of the package, since this test process has compiled
and loaded the kernels already.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

from conftest import REPO

# a small fast viewshed: a 50 m spike east of the observer hides what lies behind it
_VIEWSHED = """
import json, numpy as np
from affine import Affine
from terrain import dem_from_array, viewshed
z = np.zeros((21, 21), "float32"); z[10, 14] = 50.0
r = viewshed(dem_from_array(z, Affine(30, 0, 0, 0, -30, 630)), "xy:315,315", method="fast", outputs=("visible",))
print(json.dumps(np.argwhere(r["visible"].values != 1).tolist()))
"""


#: The cells the spike hides from the observer (rows, columns), as the exact method finds them too.
HIDDEN = [[8, 19], [8, 20], *([r, c] for r in (9, 10, 11) for c in range(15, 21)), [12, 19], [12, 20]]


def _read_only_install(tmp_path):
    """A copy of the package that no one can cache beside, root included: ``__pycache__`` is a file."""
    install = tmp_path / "install"
    shutil.copytree(REPO / "terrain", install / "terrain", ignore=shutil.ignore_patterns("__pycache__"))
    (install / "terrain" / "kernels" / "__pycache__").write_text("not a folder\n")
    for path in [install, *install.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return install


def _run(install, env):
    return subprocess.run([sys.executable, "-c", _VIEWSHED], cwd=install, env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_read_only_install_without_a_writable_home_caches_in_a_private_temporary_folder(tmp_path):
    install = _read_only_install(tmp_path)
    home = tmp_path / "home"
    home.write_text("HOME is a file, so no ~/.cache can be made in it, even by root\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(HOME=str(home), TMPDIR=str(tmp), PYTHONPATH=str(install), PYTHONDONTWRITEBYTECODE="1")
    try:
        first = _run(install, env)
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout) == HIDDEN
        warnings = [line for line in first.stderr.splitlines() if "Warning" in line]
        assert len(warnings) == 1, first.stderr
        assert "RuntimeWarning: numba cannot cache terrain's compiled kernels beside them" in warnings[0]
        assert "set NUMBA_CACHE_DIR to a writable folder to choose where" in warnings[0]
        folder, = tmp.iterdir()
        assert folder.name.startswith(f"terrain-numba-{os.getuid()}-") and str(folder) in warnings[0]
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert list(folder.rglob("*.nbi")), "the kernels were not cached there"

        again = _run(install, env)  # the same private folder serves the next run
        assert again.returncode == 0 and json.loads(again.stdout) == HIDDEN, again.stderr
        assert list(tmp.iterdir()) == [folder]
    finally:
        for path in [tmp_path / "install", *(tmp_path / "install").rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)  # let pytest clean up
