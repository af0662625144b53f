"""An output folder is replaced as a set: after an error, or a SIGKILL at any moment, a reader finds the
previous set or the new one, never a mix, and no partial file."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from layers.outset import output_set

SET = ["map.html", "sites.geojson", "regions.geojson", "sites.csv", "sites.qml", "regions.qml"]


def versions(folder):
    """Which run each file of the set came from (by the first site's name)."""
    found = {}
    if (folder / "sites.geojson").exists():
        found["sites.geojson"] = json.loads((folder / "sites.geojson").read_text())["features"][0]["properties"]["name"]
    if (folder / "sites.csv").exists():
        found["sites.csv"] = (folder / "sites.csv").read_text().splitlines()[1].split(",")[0]
    if (folder / "map.html").exists():
        text = (folder / "map.html").read_text()
        found["map.html"] = "oldrun" if '"oldrun"' in text else "newrun" if '"newrun"' in text else "?"
    return found


def sites_csv(path, tag, n):
    rows = [f"{tag}run,35.2,74.9"] + [f"s{i},{-50 + 100 * i / n:.5f},{-170 + 340 * ((i * 7919) % n) / n:.5f}"
                                      for i in range(n - 1)]
    path.write_text("name,lat,lon\n" + "\n".join(rows) + "\n")


def run(*args):
    return subprocess.Popen([sys.executable, "-m", "geo.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def test_sigkill_never_leaves_a_mixed_or_partial_set(tmp_path):
    old, new, out = tmp_path / "old.csv", tmp_path / "new.csv", tmp_path / "out"
    sites_csv(old, "old", 10_000)
    sites_csv(new, "new", 10_000)
    start = time.monotonic()
    assert run("check", "-i", str(old), "-o", str(out)).wait() == 0
    duration = time.monotonic() - start
    assert sorted(p.name for p in out.iterdir()) == sorted(SET)
    rng = random.Random(7)
    outcomes = []
    for _ in range(10):
        process = run("check", "-i", str(new), "-o", str(out))
        time.sleep(rng.uniform(0.3, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        names = sorted(p.name for p in out.iterdir()) if out.exists() else []
        seen = versions(out)
        assert names in (sorted(SET), []), names  # no .part file, nothing missing
        assert len(set(seen.values())) <= 1, seen  # one run's files only
        outcomes.append(next(iter(seen.values()), "none"))
        if seen and seen["sites.csv"] == "newrun":
            assert run("check", "-i", str(old), "-o", str(out)).wait() == 0  # back to old for the next try
    assert "oldrun" in outcomes or "newrun" in outcomes
    assert run("check", "-i", str(old), "-o", str(out)).wait() == 0
    assert not [p for p in tmp_path.iterdir() if ".claimmap-" in p.name]  # killed runs' staging is cleaned


def test_error_after_some_files_leaves_the_old_set(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(RuntimeError), output_set(out, ["a.csv"]) as staged:
        staged.path("sites.geojson").write_text("new")
        raise RuntimeError("map failed")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_blocked_name_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "o"
    (out / "sites.csv").mkdir(parents=True)
    process = run("check", "A@1,2", "-o", str(out))
    assert process.wait() == 2
    err = process.stderr.read().strip().splitlines()
    assert err == [f"claimmap: error: cannot write {out / 'sites.csv'}: a folder of that name is in the way"]
    assert [p.name for p in out.iterdir()] == ["sites.csv"] and sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_a_shared_folder_keeps_its_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    assert run("check", "A@35.2,74.9", "-o", str(tmp_path), "--no-map").wait() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "regions.geojson", "regions.qml", "sites.csv", "sites.geojson",
                                                               "sites.qml"]


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/bin/mount"), reason="needs root to mount a small tmpfs")
def test_full_disk_is_one_line_naming_the_folder(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        process = run("check", "Rattu", "-o", str(disk / "o"))
        assert process.wait() == 2
        err = process.stderr.read().strip().splitlines()
        assert len(err) == 1 and "No space left on device" in err[0] and str(disk / "o") in err[0], err
        assert ".part" not in err[0] and list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)])


def test_a_folder_whose_parent_is_read_only_is_written_in_place(tmp_path, monkeypatch):
    """`-o .` in a home folder whose parent the user cannot write: staging goes inside the folder."""
    import tempfile

    import layers.outset

    target = tmp_path / "o"
    target.mkdir()
    real = tempfile.mkdtemp

    def no_write_in_parent(dir=None, **kwargs):  # as for a user in /home/user (root writes anywhere)
        if dir == tmp_path:
            raise PermissionError(13, "Permission denied")
        return real(dir=dir, **kwargs)

    monkeypatch.setattr(layers.outset.tempfile, "mkdtemp", no_write_in_parent)
    with output_set(target, ["sites.csv"]) as staged:
        staged.path("sites.csv").write_text("new")
    assert [p.name for p in target.iterdir()] == ["sites.csv"] and [p.name for p in tmp_path.iterdir()] == ["o"]
