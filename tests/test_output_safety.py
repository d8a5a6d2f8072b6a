"""Outputs never destroy anything: every writer, CLI and API, checked before any work starts."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from terrain.cli.main import cli
from terrain.errors import InputError
from terrain.output_paths import check_output, check_output_folder

HAMA = "dem_samples/hama_standin.tif"
WM = "dem_samples/N44W072.hgt"
SMALL = ("--observer", "Zayn al-Abidin", "--radius", "2km")


@pytest.fixture
def work(tmp_path, monkeypatch):
    from conftest import REPO

    shutil.copy(REPO / HAMA, tmp_path / "dem.tif")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def digest(path):
    return path.read_bytes()


@pytest.mark.parametrize("option", ["--out", "--mvh-out", "--geojson", "--plot"])
def test_viewshed_output_naming_the_dem_is_refused(work, option):
    before = digest(work / "dem.tif")
    res = invoke("viewshed", "dem.tif", *SMALL, option, "dem.tif")
    assert res.exit_code == 2
    assert "is the input dem.tif" in res.output and "Traceback" not in res.output
    assert digest(work / "dem.tif") == before


def test_hard_and_symbolic_links_to_the_dem_are_refused(work):
    os.link(work / "dem.tif", work / "hard.tif")
    os.symlink(work / "dem.tif", work / "soft.tif")
    before = digest(work / "dem.tif")
    for name in ("hard.tif", "soft.tif"):
        res = invoke("viewshed", "dem.tif", *SMALL, "--out", name)
        assert res.exit_code == 2 and "is the input" in res.output, res.output
    assert digest(work / "dem.tif") == before


@pytest.mark.parametrize("command", [
    ("vindex", "dem.tif", "--radius", "1km", "--stride", "64", "--out", "dem.tif"),
    ("intervis", "dem.tif", "--points", "Zayn al-Abidin;Jabal Kafra", "--plot", "dem.tif"),
    ("cumulative", "dem.tif", "--observers", "Zayn al-Abidin,Jabal Kafra", "--radius", "2km", "--out", "dem.tif"),
    ("los", "dem.tif", "--from", "Zayn al-Abidin", "--to", "Hama", "--plot", "dem.tif"),
])
def test_every_command_refuses_to_write_over_its_dem(work, command):
    before = digest(work / "dem.tif")
    res = invoke(*command)
    assert res.exit_code == 2 and "is the input dem.tif" in res.output, res.output
    assert digest(work / "dem.tif") == before


def test_file_of_observers_is_an_input_too(work):
    (work / "obs.txt").write_text("Zayn al-Abidin\nJabal Kafra\n")
    res = invoke("cumulative", "dem.tif", "--observers", "@obs.txt", "--radius", "2km", "--plot", "obs.txt")
    assert res.exit_code == 2 and "is the input obs.txt" in res.output
    assert (work / "obs.txt").read_text().startswith("Zayn")


def test_device_is_written_through_not_renamed_over(work):
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", "/dev/null")
    assert res.exit_code == 0, res.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_through(work):
    fifo = work / "pipe.tif"
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c", f"import sys; sys.stdout.write(str(len(open({str(fifo)!r}, 'rb').read())))"],
                              stdout=subprocess.PIPE, text=True)
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", str(fifo))
    out, _ = reader.communicate(timeout=60)
    assert res.exit_code == 0, res.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and int(out) > 1000


def test_symlinked_output_writes_the_target_and_keeps_the_link(work):
    (work / "real").mkdir()
    os.symlink(work / "real" / "vs.tif", work / "link.tif")
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", "link.tif")
    assert res.exit_code == 0, res.output
    assert (work / "link.tif").is_symlink() and (work / "real" / "vs.tif").stat().st_size > 100


def test_socket_output_is_refused(work):
    import socket

    s = socket.socket(socket.AF_UNIX)
    s.bind(str(work / "sock.tif"))
    try:
        res = invoke("viewshed", "dem.tif", *SMALL, "--out", "sock.tif")
        assert res.exit_code == 2 and "socket" in res.output
    finally:
        s.close()


def test_read_only_output_needs_overwrite(work):
    out = work / "vs.tif"
    out.write_bytes(b"keep me")
    out.chmod(0o444)
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", "vs.tif")
    assert res.exit_code == 2 and "read-only" in res.output and "--overwrite" in res.output
    assert out.read_bytes() == b"keep me"
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", "vs.tif", "--overwrite")
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:2] in (b"II", b"MM")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_refused_before_computing(work):
    folder = work / "ro"
    folder.mkdir()
    (folder / "vs.tif").write_bytes(b"x")
    folder.chmod(0o555)
    try:
        res = invoke("viewshed", "dem.tif", *SMALL, "--out", "ro/vs.tif")
        assert res.exit_code == 2 and "cannot create files" in res.output
    finally:
        folder.chmod(0o755)


def test_unwritable_folder_is_refused_before_any_work(work, monkeypatch):
    """The write check runs before the analysis: the viewshed is never computed."""
    import importlib

    vs = importlib.import_module("terrain.viewshed")  # the module, not the function the package re-exports

    def boom(*a, **k):
        raise AssertionError("the analysis ran before the outputs were checked")

    monkeypatch.setattr(vs, "viewshed", boom)
    (work / "afile").write_text("x")
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", "afile/vs.tif")
    assert res.exit_code == 2 and "is not a folder" in res.output, res.output
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", "vs.tif", "--plot", "vs.bmpx")
    assert res.exit_code == 2 and "does not write" in res.output
    assert not (work / "vs.tif").exists()


@pytest.mark.parametrize("value, words", [("trail/", "names a folder"), ("", "is empty"),
                                          ("x.asc", "does not write"), ("x.shp", "does not write"),
                                          ("noext", "no extension")])
def test_bad_output_names(work, value, words):
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", value)
    assert res.exit_code == 2 and words in res.output, res.output
    assert sorted(p.name for p in work.iterdir()) == ["dem.tif"]


def test_existing_folder_as_output_file_is_refused(work):
    (work / "trail").mkdir()
    res = invoke("viewshed", "dem.tif", *SMALL, "--out", "trail")
    assert res.exit_code == 2 and "is a folder" in res.output


def test_report_folder_that_is_a_file_or_holds_the_input(work):
    (work / "rep").write_text("x")
    res = invoke("report", "--dem", "dem.tif", "--observers", "Zayn al-Abidin", "--target", "Hama", "--out", "rep")
    assert res.exit_code == 2 and "is a file" in res.output
    shutil.copy(work / "dem.tif", work / "report.png")
    res = invoke("report", "--dem", "report.png", "--observers", "Zayn al-Abidin", "--target", "Hama", "--out", ".")
    assert res.exit_code == 2 and "holds the input" in res.output


def test_api_writers_refuse_the_source_dem(work):
    import terrain

    dem = terrain.load_dem("dem.tif")
    result = terrain.viewshed(dem, "Zayn al-Abidin", max_distance=2000, method="fast")
    before = digest(work / "dem.tif")
    from terrain.export import write_geojson, write_geotiff, write_netcdf

    for writer in (write_geotiff, write_netcdf, write_geojson):
        with pytest.raises(InputError, match="is the input"):
            writer(result, work / "dem.tif")
    assert digest(work / "dem.tif") == before
    ro = work / "ro.tif"
    ro.write_bytes(b"k")
    ro.chmod(0o444)
    with pytest.raises(InputError, match="read-only"):
        write_geotiff(result, ro)
    write_geotiff(result, ro, overwrite=True)
    assert ro.stat().st_size > 100


def test_check_output_units(tmp_path):
    with pytest.raises(InputError, match="is empty"):
        check_output("")
    with pytest.raises(InputError, match="names a folder"):
        check_output(f"{tmp_path}/")
    assert check_output(tmp_path / "new" / "deeper" / "a.tif", suffixes=(".tif",)).name == "a.tif"
    with pytest.raises(InputError, match="is a file"):
        (tmp_path / "f").write_text("x")
        check_output_folder(tmp_path / "f")


def _temporaries(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_sigterm_removes_temporaries(tmp_path):
    """A SIGTERM while a file is being written leaves no `.name.XXXX.tif` behind and exits 143."""
    code = (
        "import sys, time, os, signal\n"
        "import terrain.atomic as a\n"
        "from terrain.cli.main import main\n"
        "import terrain.export as e\n"
        "orig = a.atomic_path\n"
        "import contextlib\n"
        "@contextlib.contextmanager\n"
        "def slow(path, suffix=None):\n"
        "    with orig(path, suffix) as tmp:\n"
        "        tmp.write_bytes(b'partial')\n"
        "        print('WRITING', flush=True)\n"
        "        time.sleep(60)\n"
        "        yield tmp\n"
        "e.atomic_path = slow\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    from conftest import REPO

    proc = subprocess.Popen([sys.executable, "-c", code, "viewshed", str(REPO / HAMA), *SMALL,
                             "--out", str(tmp_path / "vs.tif")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO)
    line = proc.stdout.readline()
    assert "WRITING" in line, proc.stderr.read()
    assert _temporaries(tmp_path), "the temporary file should exist while writing"
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert _temporaries(tmp_path) == [] and not (tmp_path / "vs.tif").exists()


def test_every_command_checks_its_outputs():
    from terrain.cli.preflight import OutputFile, OutputFolder, TerrainCommand

    for name, command in cli.commands.items():
        assert isinstance(command, TerrainCommand), name
        outputs = [p for p in command.params if isinstance(p.type, (OutputFile, OutputFolder))]
        assert any(p.name == "overwrite" for p in command.params) == bool(outputs), name
