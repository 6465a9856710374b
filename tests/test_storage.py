import pickle
import zipfile

import numpy as np
import pytest

import binrnn_helpers as bh


def test_round_trip(tmp_path):
    p = bh.init_params(16, seed=4)
    bh.save_params(tmp_path / "w.npz", p)
    q = bh.load_params(tmp_path / "w.npz")
    for name in ("U", "W", "V"):
        assert np.array_equal(getattr(p, name), getattr(q, name))
        assert getattr(q, name).dtype == np.float64


def refused(path, message):
    with pytest.raises(ValueError) as info:
        bh.load_params(path)
    assert message in str(info.value), str(info.value)
    assert str(path) in str(info.value)


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


def test_refuses_pickled_objects(tmp_path):
    np.savez(tmp_path / "w.npz", U=np.array([{"evil": 1}], dtype=object), W=np.zeros((4, 4)),
             V=np.zeros((4, 1)))
    refused(tmp_path / "w.npz", "pickled objects")
    (tmp_path / "raw.npz").write_bytes(pickle.dumps({"U": np.zeros((2, 4))}))
    refused(tmp_path / "raw.npz", "pickled objects")


def test_refuses_single_array_file(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros(3))
    refused(tmp_path / "w.npy", "not a .npz weights file")


@pytest.mark.parametrize("arrays, message", [
    ({"U": np.zeros((2, 4)), "W": np.zeros((4, 4))}, "lacks array(s) ['V']"),
    ({"U": np.zeros((2, 4)), "W": np.zeros((4, 4)), "V": np.zeros((5, 1))}, "Params.V must have shape (4, 1)"),
    ({"U": np.zeros((3, 4)), "W": np.zeros((4, 4)), "V": np.zeros((4, 1))}, "Params.U must have shape (2, 4)"),
    ({"U": np.zeros((2, 4)), "W": np.zeros((4, 4), np.float32), "V": np.zeros((4, 1))}, "array W must be float64"),
    ({"U": np.zeros((2, 4), int), "W": np.zeros((4, 4)), "V": np.zeros((4, 1))}, "array U must be float64"),
    ({"U": np.full((2, 4), np.nan), "W": np.zeros((4, 4)), "V": np.zeros((4, 1))}, "array U holds NaN or inf"),
    ({"U": np.zeros((2, 4)), "W": np.zeros((4, 4)), "V": np.full((4, 1), np.inf)}, "array V holds NaN or inf"),
])
def test_refuses_bad_arrays(tmp_path, arrays, message):
    np.savez(tmp_path / "w.npz", **arrays)
    refused(tmp_path / "w.npz", message)


def test_save_checks_arguments(tmp_path):
    with pytest.raises(TypeError, match="params must be a binrnn_helpers.Params"):
        bh.save_params(tmp_path / "w.npz", {"U": 1})
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        bh.save_params(3, bh.init_params(4))


def test_file_is_a_plain_zip_of_npy(tmp_path):
    bh.save_params(tmp_path / "w.npz", bh.init_params(4))
    assert sorted(zipfile.ZipFile(tmp_path / "w.npz").namelist()) == ["U.npy", "V.npy", "W.npy"]
