import numpy as np
import pytest

import binrnn_helpers as bh
from binrnn_helpers.exercises import WIDTH, check_function


def test_compare_says_exact_close_or_different_and_hides_rounding_noise(capsys):
    a = np.linspace(0, 1, 12).reshape(3, 4)
    bh.compare("same", a, a.copy())
    bh.compare("noise", a, a + 1e-13)
    bh.compare("off", a, a + np.eye(3, 4) * 2e-3)
    bh.compare("shape", a, a.T)
    assert capsys.readouterr().out.splitlines() == [
        "same: exact",
        "noise: close, max difference < 1e-9",
        "off: DIFFERENT, max difference 2.0e-03",
        "shape: DIFFERENT shapes, (3, 4) and (4, 3)"]


def test_compare_puts_the_verdict_of_a_long_name_on_its_own_line(capsys):
    name = "ripple_carries vs the bits of a ^ b ^ (a + b), all 16,384 pairs"
    bh.compare(name, [1, 2], [1, 2])
    assert capsys.readouterr().out.splitlines() == [name + ":", "    exact"]


def _lines(capsys):
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= WIDTH for line in lines), lines
    return lines


def test_a_stub_is_not_implemented_yet(capsys):
    def sum_many(numbers):
        raise NotImplementedError("Exercise 1: the hint")
    assert check_function(sum_many, [(([1, 2],), 3)]) is False
    lines = _lines(capsys)
    assert lines[0].startswith("✗ sum_many: not implemented yet")


@pytest.mark.parametrize("body", [
    lambda n: [0, 1][n],                # IndexError
    lambda n: n + "1",                  # TypeError
    lambda n: {}["key"],                # KeyError
    lambda n: 1 / 0,                    # ZeroDivisionError
    lambda n: np.zeros(2) @ np.zeros(3),    # ValueError from numpy
])
def test_an_exception_in_the_students_code_is_reported_not_raised(capsys, body):
    assert check_function(body, [((5,), 6), ((1,), 2)], name="f") is False
    lines = _lines(capsys)
    assert lines[0].startswith("✗ f raised ") and lines[0].endswith(" on case 1 of 2:")
    assert lines[1].strip() and lines[-1] == "  arguments: 5"
    assert 3 <= len(lines) <= 5            # the error's own message may take up to three lines


def test_a_wrong_array_shows_the_first_mismatch_and_the_largest_difference(capsys):
    expected = np.arange(117 * 16, dtype=float).reshape(117, 16)
    got = expected.copy()
    got[3, 5] += 0.25
    got[40, 2] -= 7.0
    assert check_function(lambda x: got, [((np.ones((8, 100, 2)),), expected)], name="rnn_step") is False
    assert _lines(capsys) == [
        "✗ rnn_step: case 1 of 1 is wrong.",
        "  arguments: float64 array (8, 100, 2)",
        "  first mismatch at [3, 5]: got 53.25, expected 53",
        "  largest difference 7 at [40, 2]; 2 of 1872 differ"]


def test_wrong_lengths_shapes_none_and_scalars(capsys):
    assert not check_function(lambda n: [0] * (n - 1), [((3,), [0, 1, 1])], name="bits")
    assert not check_function(lambda n: np.zeros((2, n)), [((3,), np.zeros((3, 2)))], name="m")
    assert not check_function(lambda n: None, [((3,), 5)], name="f")
    assert not check_function(lambda n: n + 1, [((3,), 5)], name="f")
    lines = _lines(capsys)
    assert lines[2:5] == ["  got      [0, 0]", "  expected [0, 1, 1]", "  (3 items expected, 2 items given)"]
    assert "  got shape (2, 3), expected shape (3, 2)" in lines
    assert "  got None: does the function return its result?" in lines
    assert "  got 4, expected 5" in lines


def test_right_answers_pass_including_tuples_of_arrays_and_float_rounding(capsys):
    assert check_function(lambda n: (n, np.ones(n) / 3), [((3,), (3, np.ones(3) / 3 + 1e-12))], name="t")
    assert check_function(lambda n: [(n >> t) & 1 for t in range(4)],
                          [((6,), [0, 1, 1, 0]), ((9,), [1, 0, 0, 1])], name="bits")
    assert _lines(capsys) == ["✓ t: right.", "✓ bits: all 2 cases right."]


def test_a_wrong_item_of_a_tuple_is_named(capsys):
    assert not check_function(lambda n: (n, np.zeros(2)), [((3,), (3, np.array([0.0, 1.0])))], name="t")
    assert _lines(capsys)[2:] == ["  item [1] differs:", "    first mismatch at [1]: got 0, expected 1",
                                  "    largest difference 1 at [1]; 1 of 2 differ"]


def test_huge_arguments_and_results_stay_short(capsys):
    big = 7 ** 5000
    assert not check_function(lambda n: n, [((big,), big + 1)], name="f")
    assert not check_function(lambda s: s * 2, [(("x" * 10_000,), "y")], name="f")
    assert len(_lines(capsys)) == 8


def test_something_that_is_not_a_function(capsys):
    assert check_function(42, [((1,), 1)], name="f") is False
    assert _lines(capsys) == ["✗ f is 42, not a function: run the cell that defines it."]


def test_a_forbidden_library_function_is_reported_and_put_back(capsys):
    params = bh.init_params(4, seed=0)
    inputs, _ = bh.addition_batch(np.array([9]), np.array([60]))
    expected = bh.forward(params, inputs).output
    forward = bh.forward
    lazy = lambda: bh.model.forward(params, inputs).output          # noqa: E731
    assert not check_function(lazy, [((), expected)], name="forward_outputs", forbid=[bh.forward])
    assert bh.forward is forward and bh.model.forward is forward and bh.evaluation.forward is forward
    assert check_function(lazy, [((), expected)], name="forward_outputs")
    lines = _lines(capsys)
    assert lines[0].startswith("✗ forward_outputs calls bh.forward, which this exercise asks")
    assert lines[-1] == "✓ forward_outputs: right."


def test_long_messages_wrap_with_their_indent_and_zero_has_no_sign(capsys):
    def shapes(x):
        return np.zeros((2, 16)) @ np.zeros((2, 16))
    assert not check_function(shapes, [((1,), 1)], name="f")
    assert not check_function(lambda x: np.array([-0.0, 1.0]), [((1,), np.array([1.0, 1.0]))], name="g")
    lines = _lines(capsys)
    assert lines[1].startswith("  matmul:") and lines[2].startswith("      ") and "16" in "".join(lines[1:4])
    assert "  first mismatch at [0]: got 0, expected 1" in lines


def test_a_short_list_is_shown_whole_and_a_case_by_its_label(capsys):
    cases = [((9, 60), [1, 0, 1, 0, 0, 0, 1, 0], "9 + 60")]
    assert not check_function(lambda a, b: [0, 1, 0, 0, 0, 1, 0, 1], cases, name="add")
    assert _lines(capsys) == ["✗ add: case 1 of 1 (9 + 60) is wrong.", "  arguments: 9, 60",
                              "  got      [0, 1, 0, 0, 0, 1, 0, 1]", "  expected [1, 0, 1, 0, 0, 0, 1, 0]"]
    sixteen = [1, 0] * 8
    assert not check_function(lambda: sixteen[:-1] + [1], [((), sixteen)], name="bits")
    assert _lines(capsys)[-1] == "  expected " + str(sixteen)


def test_a_function_the_exercise_asks_to_use_must_be_called(capsys):
    def sum_many(numbers):
        return sum(numbers)
    cases = [(([],), 0), (([3, 4],), 7)]
    assert not check_function(sum_many, cases, must_call=[bh.add])
    def sum_many(numbers):
        total = 0
        for n in numbers:
            total = bh.add(params, total, n)
        return total
    params = bh.train_fast(seed=0)[0]
    assert check_function(sum_many, cases, must_call=[bh.add])
    assert bh.add is bh.evaluation.add
    lines = _lines(capsys)
    assert lines[0].startswith("✗ sum_many: right answers, but sum_many never calls bh.add")
    assert lines[-1] == "✓ sum_many: all 2 cases right."


def test_changing_an_argument_in_place_is_named_and_cannot_spoil_the_cases(capsys):
    weights, gradient = np.ones(3), np.full(3, 2.0)
    def sgd_update(w, g, alpha):
        w -= alpha * g
        return w
    cases = [((weights, gradient, 0.5), np.zeros(3))] * 2
    assert not check_function(sgd_update, cases)
    assert np.array_equal(weights, np.ones(3))
    assert _lines(capsys)[0].startswith("✗ sgd_update changed `w` in place on case 1 of 2")
    assert not check_function(lambda *a: a[0].fill(0), [((np.ones(2),), None)], name="f")
    assert _lines(capsys)[0].startswith("✗ f changed its argument 1 in place")


def test_the_items_of_a_tuple_are_named(capsys):
    w, m, v = np.ones(2), np.zeros(2), np.full(2, 0.5)
    assert not check_function(lambda: (w, m + 1, v), [((), (w, m, v))], name="adam_step",
                              item_names=("w", "m", "v"))
    assert not check_function(lambda: w, [((), (w, m, v))], name="adam_step", item_names=("w", "m", "v"))
    lines = _lines(capsys)
    assert lines[:2] == ["✗ adam_step: case 1 of 1 is wrong.", "  m differs:"]      # no arguments line
    assert "  expected a tuple of 3 items (w, m, v)," in lines


def test_params_are_compared_field_by_field_and_library_names_are_written_as_called(capsys):
    params = bh.init_params(3, seed=0)
    assert check_function(lambda p: p.U.sum(), [((params,), params.U.sum())], name="f")
    other = bh.init_params(3, seed=1)
    assert not check_function(lambda p: other, [((params,), params)], name="g")
    assert not check_function(lambda: bh.show_backprop.backward_steps, [((), 1)], name="h",
                              forbid=[bh.show_backprop.backward_steps])
    assert not check_function(lambda: bh.show_backprop.backward_steps(), [((), 1)], name="h",
                              forbid=[bh.show_backprop.backward_steps])
    lines = _lines(capsys)
    assert lines[0] == "✓ f: right."
    assert lines[2:4] == ["  arguments: a Params", "  item ['U'] differs:"]
    assert lines[-2].startswith("✗ h calls bh.show_backprop.backward_steps, which") or \
        lines[-1].startswith("✗ h calls bh.show_backprop.backward_steps, which")


def test_the_stubs_hint_is_shown_and_strings_do_not_pass_for_numbers(capsys):
    def to_bits_lsb_first(n, width):
        raise NotImplementedError("Exercise 2: which operation brings bit t to the ones place?")
    assert not check_function(to_bits_lsb_first, [((6, 3), [0, 1, 1])])
    assert not check_function(lambda n, w: list(f"{n:0{w}b}"[::-1]), [((6, 3), [0, 1, 1])], name="f")
    assert not check_function(lambda n, w: ((n >> t) & 1 for t in range(w)), [((6, 3), [0, 1, 1])], name="g")
    lines = _lines(capsys)
    assert lines[:3] == ["✗ to_bits_lsb_first: not implemented yet.",
                         "  Fill in the exercise cell, run it, then run this check again.",
                         "  Hint: which operation brings bit t to the ones place?"]
    assert "    got      '0' (a str)" in lines and "    expected 0 (an int)" in lines
    assert "  got a generator: return a list (or an array) of the values" in lines


def test_compare_prints_one_line_whatever_it_is_given(capsys):
    """Bad-input probe: None, strings, dicts, ragged lists and huge ints raised numpy's errors;
    complex numbers lost their imaginary part; NaN against NaN was DIFFERENT."""
    def forgot_to_return():
        pass
    bh.compare("none", forgot_to_return(), [1.0])
    bh.compare("ref", [1.0], None)
    bh.compare("str", "abc", "abc")
    bh.compare("dict", {"a": 1}, {"a": 1})
    bh.compare("ragged", [[1], [1, 2]], [[1], [1, 2]])
    bh.compare("huge", [2**100], [2**100 + 1])
    bh.compare("huge same", [2**100, 3], [2**100, 3])
    bh.compare("huge far", [10**400], [0])
    bh.compare("complex", [1 + 1j], [1 + 2j])
    bh.compare("nan", [np.nan, 1.0], [np.nan, 1.0])
    bh.compare("nan close", [np.nan, 1.0], [np.nan, 1.0 + 1e-13])
    bh.compare("nan one", [np.nan], [1.0])
    assert capsys.readouterr().out.splitlines() == [
        "none: ours is None, not an array",
        "ref: reference is None, not an array",
        "str: cannot compare (could not turn ours into numbers)",
        "dict: cannot compare (could not turn ours into numbers)",
        "ragged: cannot compare (could not turn ours into numbers)",
        "huge: close, max difference 1.0e+00",        # np.allclose's rule: 1 <= 1e-7 * 2**100
        "huge same: exact",
        "huge far: DIFFERENT, max difference a 401-digit number",
        "complex: DIFFERENT, max difference 1.0e+00",
        "nan: exact",
        "nan close: close, max difference < 1e-9",
        "nan one: DIFFERENT, NaN in one where the other has a number"]


@pytest.mark.parametrize("tolerances, exc, message", [
    ({"rtol": "big"}, TypeError, "rtol must be a number in [0, inf), got 'big' (str)"),
    ({"atol": None}, TypeError, "atol must be a number in [0, inf), got None (NoneType)"),
    ({"atol": -1}, ValueError, "atol must be a number in [0, inf), got -1"),
    ({"rtol": float("nan")}, ValueError, "rtol must be a number in [0, inf), got nan"),
])
def test_compare_checks_its_tolerances(tolerances, exc, message):
    with pytest.raises(exc) as info:
        bh.compare("x", [1.0], [1.0], **tolerances)
    assert str(info.value) == message


def test_the_carry_chain_answers_are_right_worked_out_two_ways():
    """01's exercise 2 stores its answers; here they are computed by a column-by-column
    ripple and by a bit trick (the carries into columns 1..8 are a ^ b ^ (a + b))."""
    from binrnn_helpers.exercises import carry_chain_cases

    def by_columns(a, b):
        longest = run = carry = 0
        for t in range(8):
            carry = ((a >> t) & 1) + ((b >> t) & 1) + carry >= 2
            run = run + 1 if carry else 0
            longest = max(longest, run)
        return longest

    def by_bits(a, b):
        return max(len(run) for run in f"{(a ^ b ^ (a + b)) >> 1:b}".split("0"))

    cases = carry_chain_cases()
    assert len(cases) == 307 and len({args for args, _, _ in cases}) > 290
    assert cases[:4] == [((9, 60), 3, "9 + 60"), ((127, 1), 7, "127 + 1"), ((85, 42), 0, "85 + 42"),
                         ((5, 5), 1, "5 + 5")]             # the four the exercise states
    for (a, b), expected, _ in cases:
        assert 0 <= a < 128 and 0 <= b < 128
        assert expected == by_columns(a, b) == by_bits(a, b), (a, b)
    assert {n for _, n, _ in cases} == set(range(8))        # every chain length occurs
