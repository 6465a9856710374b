"""Save and load weights as .npz -- plain float64 arrays, never pickle.

A weights file is a zip holding exactly U.npy, W.npy and V.npy.  ``save_params`` writes a
temporary file beside the target (through a symlink: the file it points to) and renames it into
place, so a save that fails (disk full, Ctrl-C) leaves an old file of that name as it was.
``load_params`` reads each array's header first and judges the declared shapes and dtypes by
``Params``' own checks before it reads any data (so at most H = MAX_HIDDEN_SIZE), and it never
reads more than those headers declare.
What ``Params`` refuses, neither function writes nor reads.
"""
import contextlib
import errno
import math
import os
import secrets
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from .model import Params, check_params

NAMES = ("U", "W", "V")
UNREADABLE = (OSError, EOFError, zipfile.BadZipFile, zlib.error)


def shown_path(path):
    """``path`` for a one-line message: quoted, or abbreviated when long."""
    text = os.fspath(path)
    return repr(text) if len(text) <= 100 else f"a {len(text):,}-character path ending {text[-40:]!r}"


def _brief(err):
    """Someone else's exception on one short line."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= 120 else text[:117] + "..."


def weights_path(path):
    """The one suffix rule for weights files: ``weights`` -> ``weights.npz``; ``w.npz`` stays.

    Any other suffix is refused, and so are "", a name that is only the suffix (".npz"), a folder
    or a device (such as /dev/full), a symlink loop and a name the file system refuses (too long).
    Returns a pathlib.Path; save_params, load_params and the command line use it.
    """
    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    text = os.fspath(path)
    if not text or "\0" in text or os.path.basename(text) == ".npz":
        raise ValueError(f"path must name a weights file such as weights.npz, got {shown_path(text)}")
    result = Path(text)
    if not result.suffix and result.name not in ("", ".", "..") and not text.endswith(("/", os.sep)):
        result = result.with_name(result.name + ".npz")
    for name in (text, result):
        if os.path.exists(name) and not os.path.isfile(name):
            raise ValueError(f"path {shown_path(name)} is a folder or a device, not a weights file; "
                             "give a file name such as weights.npz")
    if result.suffix != ".npz":
        raise ValueError(f"path must end in .npz (a name without a suffix gets .npz added), "
                         f"got {shown_path(text)}")
    try:  # a symlink loop or a name too long, which os.path.exists calls missing
        os.stat(result)
    except (FileNotFoundError, NotADirectoryError):
        pass  # nothing there (yet): save creates it, load says so
    except OSError as err:
        why = "is a symlink loop" if err.errno == errno.ELOOP else f"cannot be used ({err.strerror})"
        raise ValueError(f"path {shown_path(result)} {why}; give a file name such as weights.npz") \
            from None
    return result


def save_params(path, params):
    """Write U, W, V to a .npz file; return the pathlib.Path written (``w`` becomes ``w.npz``).

    Refuses what load_params would refuse (what Params refuses), and a file it cannot write (a
    missing or read-only folder, a full disk: ValueError); an old file at ``path`` is then untouched.
    """
    check_params(params)
    path = weights_path(path)
    try:  # built again, for entries changed in place (p.U[0, 0] = nan), which Params cannot see
        Params(params.U, params.W, params.V)
    except (TypeError, ValueError) as err:
        raise type(err)(f"params cannot be saved: {err}") from None
    if path.exists() and not path.stat().st_mode & 0o222:  # chmod a-w: kept, even from root
        raise ValueError(f"path {shown_path(path)} is read-only; it was not overwritten")
    # a symlink is kept and the file it points to replaced; the temporary file sits beside that
    # file (os.replace is then a rename within one file system), its name short, so that any name
    # the file system takes can be saved to
    target = Path(os.path.realpath(path))
    temporary = target.with_name(f".w-{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as f:
            np.savez(f, U=params.U, W=params.W, V=params.V)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        if isinstance(err, OSError):
            raise ValueError(f"cannot save weights to {shown_path(path)}: {err.strerror or _brief(err)}; "
                             "nothing was written") from None
        raise
    return path


def load_params(path):
    """Read weights saved by ``save_params``; refuse anything that is not exactly that.

    ``path`` follows weights_path's suffix rule.  Refused with ValueError: a missing or unreadable
    file, pickled objects, members other than U.npy, W.npy and V.npy, arrays that Params refuses
    (not float64, not U (2, H), W (H, H), V (H, 1) with 1 <= H <= MAX_HIDDEN_SIZE: judged from the
    headers, before any data is read; NaN or inf), a member longer or shorter than its header says.
    """
    path = weights_path(path)
    if not path.is_file():
        raise ValueError(f"path {shown_path(path)}: no such weights file")
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
            if magic.startswith(b"\x80"):
                raise ValueError("a pickle, which is refused; a weights file holds only float64 arrays")
            if magic == b"\x93NUMPY":
                raise ValueError("not a .npz weights file (it holds a single array); "
                                 "save weights with save_params")
            if not magic.startswith(b"PK"):
                raise ValueError("not a readable .npz weights file (it is not a zip archive)")
            f.seek(0)
            with zipfile.ZipFile(f) as zf:
                arrays = _read_arrays(zf)
        return Params(**arrays)
    except (ValueError, TypeError) as err:
        raise ValueError(f"path {shown_path(path)}: {err}") from None
    except UNREADABLE as err:
        raise ValueError(f"path {shown_path(path)}: not a readable .npz weights file ({_brief(err)})") from None


def _read_arrays(zf):
    """U, W, V from an open zip: every header checked first, then at most the bytes they declare."""
    names = zf.namelist()
    missing = [name for name in NAMES if f"{name}.npy" not in names]
    if missing:
        raise ValueError(f"weights file lacks array(s) {missing}; it must hold U, W and V")
    if len(names) != len(NAMES):
        raise ValueError(f"weights file has {len(names):,} members; it must hold exactly "
                         "U.npy, W.npy and V.npy")
    headers = {}
    for name in NAMES:
        info = zf.getinfo(f"{name}.npy")
        if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(f"array {name} is encrypted or compressed in a way numpy never writes")
        with zf.open(info) as fp:
            try:
                read_header = {(1, 0): npy.read_array_header_1_0,
                               (2, 0): npy.read_array_header_2_0}.get(npy.read_magic(fp))
                if read_header is None:
                    raise ValueError("unknown .npy format version")
                shape, fortran_order, dtype = read_header(fp)
            except ValueError as err:
                raise ValueError(f"array {name} is not a readable .npy array ({_brief(err)})") from None
            headers[name] = shape, fortran_order, dtype, fp.tell()
    # Params judges the declared shapes and dtypes (object arrays too, which are never unpickled),
    # on stand-ins that take no memory: read-only views of one zero
    stand_ins = {}
    for name, (shape, _, dtype, _) in headers.items():
        try:
            stand_ins[name] = np.broadcast_to(np.zeros((), dtype), shape)
        except (TypeError, ValueError):    # negative or boolean sizes, more than 64 dimensions
            raise ValueError(f"array {name} declares a shape that no array can have") from None
    Params(**stand_ins)
    arrays = {}
    for name, (shape, fortran_order, dtype, offset) in headers.items():
        info = zf.getinfo(f"{name}.npy")
        size = math.prod(shape) * dtype.itemsize
        if info.file_size != offset + size:   # e.g. a deflate bomb: a small header, gigabytes of data
            raise ValueError(f"array {name} declares {size:,} bytes of data but the file holds "
                             f"{info.file_size - offset:,}; it is damaged or was made to mislead")
        with zf.open(info) as fp:
            fp.read(offset)
            data = fp.read(size + 1)  # to the end, so zipfile checks the CRC: at most `size` bytes
        order = "F" if fortran_order else "C"
        arrays[name] = np.frombuffer(data, dtype).reshape(shape, order=order).copy()
    return arrays
