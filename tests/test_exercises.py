import numpy as np

import binrnn_helpers as bh


def test_compare_says_exact_approximate_or_different_and_hides_rounding_noise(capsys):
    a = np.linspace(0, 1, 12).reshape(3, 4)
    bh.compare("same", a, a.copy())
    bh.compare("noise", a, a + 1e-13)
    bh.compare("off", a, a + np.eye(3, 4) * 2e-3)
    bh.compare("shape", a, a.T)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["same", "noise", "off", "shape"]
    assert "exact: True  | approx: True  | max difference: 0" in lines[0]
    assert "exact: False | approx: True  | max difference: < 1e-9" in lines[1]
    assert "exact: False | approx: False | max difference: 2.0e-03" in lines[2]
    assert "shapes differ: (3, 4) and (4, 3)" in lines[3]
