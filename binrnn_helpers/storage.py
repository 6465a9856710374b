"""Save and load weights as .npz -- plain arrays, never pickle."""
import os
import zipfile

import numpy as np

from .model import Params, check_params

PICKLED = "holds pickled objects, which are refused; a weights file holds only float64 arrays"


def save_params(path, params):
    """Write U, W, V to ``path`` (a .npz file; numpy adds .npz if the name lacks it)."""
    check_params(params)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    np.savez(path, U=params.U, W=params.W, V=params.V)


def load_params(path):
    """Read weights saved by ``save_params``; refuse anything that is not exactly that.

    Refused with ValueError: a missing or unreadable file, pickled objects, a missing array,
    arrays that are not float64, contain NaN or inf, or do not fit U (2, H), W (H, H), V (H, 1).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    where = f"path {os.fspath(path)!r}"
    if not os.path.isfile(path):
        raise ValueError(f"{where}: no such weights file")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x80"):
        raise ValueError(f"{where}: {PICKLED}")
    if magic == b"\x93NUMPY":
        raise ValueError(f"{where}: not a .npz weights file (it holds a single array); "
                         "save weights with save_params")
    if not magic.startswith(b"PK"):
        raise ValueError(f"{where}: not a readable .npz weights file (it is not a zip archive)")
    try:
        # we open the file ourselves: np.load leaves it open when the zip is broken
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            missing = {"U", "W", "V"} - set(data.files)
            if missing:
                raise ValueError(f"{where}: weights file lacks array(s) {sorted(missing)}; "
                                 "it must hold U, W and V")
            arrays = {name: data[name] for name in ("U", "W", "V")}
    except ValueError as err:
        if str(err).startswith(where):
            raise
        if "allow_pickle" in str(err):
            raise ValueError(f"{where}: {PICKLED}") from None
        raise ValueError(f"{where}: not a readable .npz weights file ({err})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ValueError(f"{where}: not a readable .npz weights file "
                         f"({type(err).__name__}: {err})") from None
    for name, arr in arrays.items():
        if arr.dtype != np.float64:
            raise ValueError(f"{where}: array {name} must be float64, got {arr.dtype}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{where}: array {name} holds NaN or inf")
    try:
        return Params(**arrays)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
