"""Weights files: the round trip, and every way a file or a save can go wrong (issue 15, cases 3, 4, 6, 7)."""
import errno
import io
import os
import pickle
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import binrnn_helpers as bh
from binrnn_helpers.storage import weights_path


def test_round_trip(tmp_path):
    p = bh.init_params(16, seed=4)
    assert bh.save_params(tmp_path / "w.npz", p) == tmp_path / "w.npz"
    q = bh.load_params(tmp_path / "w.npz")
    for name in ("U", "W", "V"):
        assert np.array_equal(getattr(p, name), getattr(q, name))
        assert getattr(q, name).dtype == np.float64
    q.W[0, 0] = 1.0                         # loaded weights are ordinary, writable arrays
    assert os.listdir(tmp_path) == ["w.npz"]


def refused(path, message):
    """load_params(path) refuses with one line that names the path and says ``message``."""
    with pytest.raises(ValueError) as info:
        bh.load_params(path)
    text = str(info.value)
    assert message in text, text
    assert repr(str(path)) in text and "\n" not in text
    return text


def test_refuses_missing_file(tmp_path):
    refused(tmp_path / "nothing.npz", "no such weights file")


def test_refuses_truncated_file(tmp_path):
    bh.save_params(tmp_path / "w.npz", bh.init_params(16))
    data = (tmp_path / "w.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    refused(tmp_path / "cut.npz", "not a readable .npz weights file")


def test_refuses_text_file(tmp_path):
    (tmp_path / "w.npz").write_text("hello")
    refused(tmp_path / "w.npz", "not a readable .npz weights file")


def test_refuses_pickles(tmp_path):
    (tmp_path / "raw.npz").write_bytes(pickle.dumps({"U": np.zeros((2, 4))}))
    refused(tmp_path / "raw.npz", "a pickle, which is refused")


def test_refuses_single_array_file(tmp_path):
    with open(tmp_path / "w.npz", "wb") as f:
        np.save(f, np.zeros(3))
    refused(tmp_path / "w.npz", "not a .npz weights file (it holds a single array)")


def test_refuses_members_numpy_never_writes(tmp_path):
    arrays = {"U": np.zeros((2, 4)), "W": np.zeros((4, 4)), "V": np.zeros((4, 1))}
    np.savez(tmp_path / "extra.npz", **arrays, X=np.zeros(1))
    refused(tmp_path / "extra.npz", "weights file has 4 members; it must hold exactly U.npy, W.npy and V.npy")
    with zipfile.ZipFile(tmp_path / "bz.npz", "w", zipfile.ZIP_BZIP2) as zf:
        for name, arr in arrays.items():
            with zf.open(f"{name}.npy", "w") as f:
                np.save(f, arr)
    refused(tmp_path / "bz.npz", "array U is encrypted or compressed in a way numpy never writes")
    with zipfile.ZipFile(tmp_path / "junk.npz", "w") as zf:
        for name in arrays:
            zf.writestr(f"{name}.npy", b"\x93NUMPY\x01\x00junk")
    refused(tmp_path / "junk.npz", "array U is not a readable .npy array (ValueError:")


# Arrays that load_params refuses in a file, and save_params refuses in params: the same words
# from the same check (Params').  Object arrays are judged by their header: nothing is unpickled.
BAD_ARRAYS = [
    ({"V": np.zeros((5, 1))}, "Params.V must have shape (4, 1)"),
    ({"U": np.zeros((3, 4))}, "Params.U must have shape (2, 4)"),
    ({"W": np.zeros((4, 4), np.float32)},
     "Params.W must be a float64 numpy array, got an array of dtype float32"),
    ({"U": np.zeros((2, 4), np.int64)},
     "Params.U must be a float64 numpy array, got an array of dtype int64"),
    ({"U": np.array([[{"evil": 1}] * 4] * 2, dtype=object)},
     "Params.U must be a float64 numpy array, got an array of dtype object"),
    ({"U": np.full((2, 4), np.nan)}, "Params.U must hold finite numbers, got NaN or inf"),
    ({"V": np.full((4, 1), np.inf)}, "Params.V must hold finite numbers, got NaN or inf"),
]


@pytest.mark.parametrize("bad, message", BAD_ARRAYS)
def test_save_refuses_exactly_what_load_refuses(tmp_path, bad, message):
    arrays = {"U": np.zeros((2, 4)), "W": np.zeros((4, 4)), "V": np.zeros((4, 1)), **bad}
    np.savez(tmp_path / "bad.npz", **arrays)
    loaded = refused(tmp_path / "bad.npz", message)
    p = bh.init_params(4)
    for name, arr in arrays.items():     # past Params' guard on assignment, as an in-place edit goes
        object.__setattr__(p, name, arr)
    with pytest.raises((TypeError, ValueError)) as info:
        bh.save_params(tmp_path / "w.npz", p)
    saved = str(info.value)
    assert saved.startswith("params cannot be saved: ")
    assert loaded.endswith(saved.removeprefix("params cannot be saved: ")), (loaded, saved)
    assert not (tmp_path / "w.npz").exists()


class Tripwire:
    """Unpickling this makes the folder ``path``: a loader that unpickles leaves a trace."""
    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return os.mkdir, (self.path,)


def test_object_arrays_are_never_unpickled(tmp_path):
    U = np.array([[Tripwire(tmp_path / "unpickled")] * 4] * 2, dtype=object)
    np.savez(tmp_path / "w.npz", U=U, W=np.zeros((4, 4)), V=np.zeros((4, 1)))
    refused(tmp_path / "w.npz", "Params.U must be a float64 numpy array, got an array of dtype object")
    assert not (tmp_path / "unpickled").exists()
    np.load(tmp_path / "w.npz", allow_pickle=True)["U"]                # the tripwire works
    assert (tmp_path / "unpickled").is_dir()


def test_save_refuses_nan_written_in_place(tmp_path):
    p = bh.init_params(4)
    p.W[1, 2] = np.nan                   # Params cannot see this; save checks again
    with pytest.raises(ValueError, match=r"^params cannot be saved: Params.W must hold finite numbers"):
        bh.save_params(tmp_path / "w.npz", p)
    assert os.listdir(tmp_path) == []


def test_refuses_missing_array(tmp_path):
    np.savez(tmp_path / "w.npz", U=np.zeros((2, 4)), W=np.zeros((4, 4)))
    refused(tmp_path / "w.npz", "weights file lacks array(s) ['V']; it must hold U, W and V")


def test_save_checks_arguments(tmp_path):
    with pytest.raises(TypeError, match="params must be a binrnn_helpers.Params"):
        bh.save_params(tmp_path / "w.npz", {"U": 1})
    for path in (3, b"w.npz", None):
        with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
            bh.save_params(path, bh.init_params(4))


def test_file_is_a_plain_zip_of_npy(tmp_path):
    bh.save_params(tmp_path / "w.npz", bh.init_params(4))
    assert sorted(zipfile.ZipFile(tmp_path / "w.npz").namelist()) == ["U.npy", "V.npy", "W.npy"]


# --- case 3: a save that fails midway leaves the old file as it was -------------------------------

def old_file(tmp_path):
    """A weights file to be replaced, and its bytes."""
    path = bh.save_params(tmp_path / "w.npz", bh.init_params(16, seed=1))
    return path, path.read_bytes()


def assert_untouched(path, before):
    assert path.read_bytes() == before
    assert np.array_equal(bh.load_params(path).W, bh.init_params(16, seed=1).W)
    assert os.listdir(path.parent) == [path.name]     # and no temporary file is left beside it


@pytest.mark.parametrize("failure, raised, message", [
    (OSError(errno.ENOSPC, "No space left on device"), ValueError,
     "cannot save weights to '{}': No space left on device; nothing was written"),
    (KeyboardInterrupt(), KeyboardInterrupt, ""),
])
def test_failed_save_leaves_old_file(tmp_path, monkeypatch, failure, raised, message):
    path, before = old_file(tmp_path)

    def write_part_then_fail(f, **arrays):
        f.write(b"PK\x03\x04" + bytes(1000))
        f.flush()
        raise failure
    monkeypatch.setattr(np, "savez", write_part_then_fail)
    with pytest.raises(raised) as info:
        bh.save_params(path, bh.init_params(64, seed=2))
    assert str(info.value) == message.format(path)
    monkeypatch.undo()
    assert_untouched(path, before)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_save_over_file_size_limit_leaves_old_file(tmp_path):
    """As ``ulimit -f 2``: the new file may grow to 2 KiB only; the old one must survive."""
    path, before = old_file(tmp_path)
    script = ("import resource, binrnn_helpers as bh\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))\n"
              f"bh.save_params({str(path)!r}, bh.init_params(64, seed=2))\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1] == \
        f"ValueError: cannot save weights to {str(path)!r}: File too large; nothing was written"
    assert_untouched(path, before)


def test_read_only_file_is_not_overwritten(tmp_path):
    path, before = old_file(tmp_path)
    path.chmod(0o444)
    with pytest.raises(ValueError, match="is read-only; it was not overwritten"):
        bh.save_params(path, bh.init_params(4))
    path.chmod(0o644)
    assert_untouched(path, before)


# --- case 4: headers are checked before any data is read, and no more is read than they declare ---

def npy_header(shape):
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return out.getvalue()


def deflated(data):
    """``data`` as a raw deflate stream that stops at a byte boundary (blocks can be joined)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def member(shape, zeros=None, claimed=None):
    """A .npy member of a zip: its header for ``shape``, then ``zeros`` zero bytes of data (as many
    as the shape needs if None), deflated.  ``claimed`` bytes of data are declared in the zip
    (all of them if None), with the CRC of what is declared.
    Returns (deflate stream, crc, declared uncompressed size)."""
    header = npy_header(shape)
    zeros = 8 * int(np.prod(shape)) if zeros is None else zeros
    claimed = zeros if claimed is None else claimed
    mib, rest = divmod(zeros, 2**20)
    stream = deflated(header) + deflated(bytes(2**20)) * mib + deflated(bytes(rest)) + b"\x03\x00"
    crc = zlib.crc32(header)
    for _ in range(claimed // 2**20):
        crc = zlib.crc32(bytes(2**20), crc)
    crc = zlib.crc32(bytes(claimed % 2**20), crc)
    return stream, crc, len(header) + claimed


def write_zip(path, members):
    """A zip written byte by byte, so that a test can declare any size: {"U": member(...), ...}."""
    out, directory = bytearray(), bytearray()
    for name, (stream, crc, size) in members.items():
        encoded = f"{name}.npy".encode()
        fields = struct.pack("<5H3I2H", 20, 0, zipfile.ZIP_DEFLATED, 0, 33, crc, len(stream), size,
                             len(encoded), 0)
        directory += b"PK\x01\x02" + struct.pack("<H", 20) + fields \
            + struct.pack("<3H2I", 0, 0, 0, 0, len(out)) + encoded
        out += b"PK\x03\x04" + fields + encoded + stream
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                      len(out), 0)
    path.write_bytes(bytes(out + directory) + end)
    return path


def cost(path):
    """load_params(path): what it returned or raised, its seconds, and its peak of new memory."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = bh.load_params(path)
    except ValueError as err:
        result = err
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, seconds, peak


GiB = 2**30


@pytest.mark.parametrize("H, zeros, message", [
    # W holds 1 GiB of zeros, all that its header declares (11,585 x 11,585): more than Params allows
    (11585, None, "Params.W must have shape (H, H) with 1 <= H <= 4096, got (11585, 11585)"),
    # W's header declares 4 x 4 honestly, but the zip says (truly) that 1 GiB of data follows it
    (4, GiB, "array W declares 128 bytes of data but the file holds 1,073,741,824; "
             "it is damaged or was made to mislead"),
])
def test_deflate_bomb_is_refused_quickly(tmp_path, H, zeros, message):
    members = {"U": member((2, H)), "W": member((H, H), zeros), "V": member((H, 1))}
    path = write_zip(tmp_path / "bomb.npz", members)
    assert path.stat().st_size < 1.1e6
    assert sum(info.file_size for info in zipfile.ZipFile(path).infolist()) > GiB   # a real bomb
    result, seconds, peak = cost(path)
    assert isinstance(result, ValueError) and message in str(result), result
    assert seconds < 0.5 and peak < 2**23, (seconds, peak)


def test_reads_no_more_than_declared(tmp_path):
    """W's stream inflates to 1 GiB, but the zip declares (with a matching CRC) only what its
    header needs: the loader reads those 128 bytes and stops."""
    members = {"U": member((2, 4)), "W": member((4, 4), zeros=GiB, claimed=128), "V": member((4, 1))}
    result, seconds, peak = cost(write_zip(tmp_path / "w.npz", members))
    assert isinstance(result, bh.Params) and not result.W.any()
    assert seconds < 0.5 and peak < 2**23, (seconds, peak)


def test_refuses_wrong_checksum(tmp_path):
    stream, crc, size = member((4, 4))
    path = write_zip(tmp_path / "w.npz", {"U": member((2, 4)), "W": (stream, crc ^ 1, size),
                                          "V": member((4, 1))})
    refused(path, "not a readable .npz weights file (BadZipFile: Bad CRC-32 for file 'W.npy')")


def test_header_declaring_8_tib_is_refused_in_one_line(tmp_path):
    H = 2**20                            # W alone: 2**40 float64 = 8 TiB
    members = {name: (deflated(npy_header(shape)) + b"\x03\x00", zlib.crc32(npy_header(shape)),
                      len(npy_header(shape)))
               for name, shape in {"U": (2, H), "W": (H, H), "V": (H, 1)}.items()}
    path = write_zip(tmp_path / "w.npz", members)
    refused(path, "Params.W must have shape (H, H) with 1 <= H <= 4096, got (1048576, 1048576)")


# --- case 6: one suffix rule, and nothing written where no weights file can be --------------------

def test_suffix_rule(tmp_path):
    p = bh.init_params(4, seed=3)
    written = bh.save_params(tmp_path / "weights", p)
    assert written == tmp_path / "weights.npz" and os.listdir(tmp_path) == ["weights.npz"]
    assert np.array_equal(bh.load_params(tmp_path / "weights").U, p.U)     # the same rule to read
    assert weights_path("w") == Path("w.npz") and weights_path("run.1.npz") == Path("run.1.npz")
    refused(tmp_path / "other.npz", "no such weights file")
    with pytest.raises(ValueError) as info:
        bh.load_params(tmp_path / "other")
    assert str(info.value) == f"path {str(tmp_path / 'other.npz')!r}: no such weights file"


@pytest.mark.parametrize("path, message", [
    ("", "path must name a weights file such as weights.npz, got ''"),
    ("w\0.npz", r"path must name a weights file such as weights.npz, got 'w\x00.npz'"),
    ("w.npy", "path must end in .npz (a name without a suffix gets .npz added), got 'w.npy'"),
    ("w.NPZ", "path must end in .npz (a name without a suffix gets .npz added), got 'w.NPZ'"),
    ("folder/", "path must end in .npz (a name without a suffix gets .npz added), got 'folder/'"),
    (".npz", "path must name a weights file such as weights.npz, got '.npz'"),   # not .npz.npz
    ("sub/.npz", "path must name a weights file such as weights.npz, got 'sub/.npz'"),
    ("x" * 5000 + ".txt", "path must end in .npz (a name without a suffix gets .npz added), "
                          f"got a 5,004-character path ending {'x' * 36 + '.txt'!r}"),
])
def test_refuses_bad_names(tmp_path, monkeypatch, path, message):
    monkeypatch.chdir(tmp_path)
    for call in (weights_path, bh.load_params, lambda path: bh.save_params(path, bh.init_params(4))):
        with pytest.raises(ValueError) as info:
            call(path)
        assert str(info.value) == message
    assert os.listdir(tmp_path) == []


def test_refuses_folders_and_devices(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("folder")
    os.mkdir("folder.npz")
    paths = [tmp_path, "folder", "folder.npz", "."]
    if hasattr(os, "mkfifo"):
        os.mkfifo("pipe")
        paths.append("pipe")
    if os.path.exists("/dev/full"):     # the case: once, /dev/full.npz was created
        paths += ["/dev/full", "/dev/null"]
    before = sorted(os.listdir())
    for path in paths:
        for call in (bh.load_params, lambda path: bh.save_params(path, bh.init_params(4))):
            with pytest.raises(ValueError) as info:
                call(path)
            assert str(info.value) == (f"path {str(path)!r} is a folder or a device, not a weights "
                                       "file; give a file name such as weights.npz")
    assert not os.path.exists("/dev/full.npz") and not os.path.exists("/dev/null.npz")
    assert sorted(os.listdir()) == before


def test_missing_folder_is_one_line(tmp_path):
    path = tmp_path / "no" / "such" / "folder" / "w"
    with pytest.raises(ValueError) as info:
        bh.save_params(path, bh.init_params(4))
    assert str(info.value) == (f"cannot save weights to {str(path) + '.npz'!r}: No such file or directory; "
                               "nothing was written")
    assert os.listdir(tmp_path) == []


# --- the prober's second list: symlinks, symlink loops, long names --------------------------------

@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_save_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = bh.save_params(tmp_path / "real" / "target.npz", bh.init_params(4, seed=1))
    link = tmp_path / "links" / "link.npz"
    link.symlink_to(target)
    p = bh.init_params(4, seed=2)
    assert bh.save_params(link, p) == link
    assert os.readlink(link) == str(target)                            # the link is kept ...
    assert np.array_equal(bh.load_params(target).W, p.W)                # ... and its target replaced
    assert os.listdir(tmp_path / "real") == ["target.npz"] and os.listdir(tmp_path / "links") == ["link.npz"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_loop_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink("loop.npz", "loop.npz")
    for call in (weights_path, bh.load_params, lambda path: bh.save_params(path, bh.init_params(4))):
        for path in ("loop", "loop.npz"):
            with pytest.raises(ValueError) as info:
                call(path)
            assert str(info.value) == "path 'loop.npz' is a symlink loop; give a file name such as weights.npz"
    assert os.listdir() == ["loop.npz"] and os.readlink("loop.npz") == "loop.npz"


@pytest.mark.skipif(not hasattr(os, "pathconf"), reason="asks the file system its longest name")
def test_any_name_the_file_system_takes_can_be_saved(tmp_path):
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")                      # 255 on most file systems
    p = bh.init_params(4, seed=5)
    path = bh.save_params(tmp_path / ("a" * (longest - 4) + ".npz"), p)   # the temporary name is short
    assert np.array_equal(bh.load_params(path).U, p.U) and os.listdir(tmp_path) == [path.name]
    too_long = tmp_path / ("a" * (longest - 3) + ".npz")
    for call in (weights_path, bh.load_params, lambda path: bh.save_params(path, p)):
        with pytest.raises(ValueError) as info:
            call(too_long)
        assert str(info.value) == (f"path a {len(str(too_long)):,}-character path ending "
                                   f"'{'a' * 36}.npz' cannot be used (File name too long); "
                                   "give a file name such as weights.npz")
    assert os.listdir(tmp_path) == [path.name]
