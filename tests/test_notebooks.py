"""What every notebook owes its readers and nbval: test plumbing in cell tags, not in the code students
read; a folded answer under every question; exercises whose self-checks check the student's own
function, never raise, and reject lazy answers; one indexing convention."""
import ast
import json
import pathlib
import re

import pytest

from conftest import load_tool

NOTEBOOKS = sorted((pathlib.Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_noisy_cells_are_tagged_not_commented(path):
    """nbval reads an NBVAL comment only when it is the whole comment; the cell tag always works
    and keeps the plumbing out of the code a student reads (and off the slides)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert not [c["id"] for c in code if "NBVAL" in "".join(c["source"])]
    tagged = [c for c in code if "nbval-ignore-output" in c["metadata"].get("tags", [])]
    assert len(tagged) <= 3, "a notebook whose output is mostly noise tests nothing"
    for c in tagged:
        assert c["execution_count"] is not None      # still run (and so checked for errors) by nbval


# ---------------------------------------------------------------- a student alone can check every answer
def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell):
    return "".join(cell["source"])


_NUMBERED = re.compile(r"^\s{0,4}(?:\*\*)?\d+[.)]\s")


def unanswered_questions(markdown):
    """The questions of a markdown cell with no folded answer (``<details>``) after them.

    A question is a numbered item in a section whose heading says "Questions", or after a
    **Think!** marker (to the next heading); an un-numbered Think! is one question."""
    missing, pending, section, think = [], None, False, False
    for raw in markdown.splitlines():
        line = re.sub(r"^\s*>\s?", "", raw)
        if re.match(r"#{1,6}\s", line):
            if pending:
                missing.append(pending)
            pending, section, think = None, "question" in line.lower(), False
        elif line.lstrip().startswith("**Think!**"):
            if pending:
                missing.append(pending)
            pending, think = line.strip(), True
        elif (section or think) and _NUMBERED.match(line):
            if pending and "**Think!**" not in pending:     # a Think! that numbers its questions
                missing.append(pending)
            pending = line.strip()
        elif "<details" in line.lower() and pending:
            pending = None
    if pending:
        missing.append(pending)
    return missing


def test_the_question_finder_on_small_examples():
    answer = "   <details><summary>Answer</summary>\n\n   Because.\n\n   </details>"
    assert unanswered_questions(f"## Questions\n\n1. Why?\n\n{answer}\n\n2. How?\n\n{answer}") == []
    assert unanswered_questions(f"## Questions\n\n1. Why?\n\n2. How?\n\n{answer}") == ["1. Why?"]
    assert unanswered_questions("## Questions\n\n1. Why?\n\n## Exercises\n\n1. Do.") == ["1. Why?"]
    assert unanswered_questions("> **Think!** Why so?\n\nText.") == ["**Think!** Why so?"]
    assert unanswered_questions(f"> **Think!** Why so?\n\n{answer}") == []
    assert unanswered_questions(f"**Think!**\n1. Why?\n{answer}\n2. How?") == ["2. How?"]
    assert unanswered_questions("## Exercises\n\n1. Do this.\n2. Do that.") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_question_has_a_folded_answer(path):
    cells = _cells(path)
    markdown = [_src(c) for c in cells if c["cell_type"] == "markdown"]
    missing = [q for text in markdown for q in unanswered_questions(text)]
    assert missing == [], f"questions without a folded answer: {missing}"
    text = "\n".join(markdown)
    assert text.count("<details") == text.count("</details>")
    assert re.search(r"#{1,6} .*Questions", text), "every notebook ends with recall questions"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_end_links_the_teachers_guide(path):
    last = [c for c in _cells(path) if c["cell_type"] == "markdown"][-1]
    if path.name.startswith("00"):      # 00 ends with its appendix; the guide is linked before it
        last = next(c for c in _cells(path) if c["cell_type"] == "markdown"
                    and _src(c).lstrip("-\n ").startswith("Next:"))
    assert "(../docs/teaching-guide.md)" in _src(last)
    assert (path.parents[1] / "docs" / "teaching-guide.md").is_file()


def _top_level_names(source):
    """Names a cell defines at top level (functions, classes, assignments)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def exercises(path):
    """(names the stub defines, its self-check cell's source) for each exercise of a notebook."""
    cells, found = _cells(path), []
    for i, cell in enumerate(cells):
        if "exercise" in cell["metadata"].get("tags", []):
            check = next(c for c in cells[i + 1:] if "self-check" in c["metadata"].get("tags", []))
            found.append((_top_level_names(_src(cell)), _src(check)))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_follow_the_series_convention(path):
    """After the Summary: each exercise is a stub raising its hint, a self-check, the "Worked
    solution" note and a folded solution that defines <name>_solution, never the student's name
    (after Run All the self-check under a stub must still check the student's own code)."""
    import nbformat
    cells = nbformat.read(str(path), as_version=4).cells
    tags = [c.metadata.get("tags", []) for c in cells]
    exercises = [i for i, t in enumerate(tags) if "exercise" in t]
    assert len(exercises) >= 2
    summary = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Summary" in c.source)
    said = lambda c: "".join(o.get("text", "") for o in c.outputs)   # noqa: E731
    stubs = set().union(*(_top_level_names(cells[i].source) for i in exercises))
    for i in exercises:
        assert i > summary
        assert cells[i - 1].cell_type == "markdown"
        assert "raise NotImplementedError(\"Exercise" in cells[i].source
        check = cells[i + 1]
        assert "self-check" in tags[i + 1] and "passed = bh.exercises.check_" in check.source
        assert cells[i + 2].source.startswith("**Worked solution**")
        solution = cells[i + 3]
        assert "solution" in tags[i + 3] and solution.metadata["jupyter"]["source_hidden"] is True
        name = re.search(r"def (\w+)\(", cells[i].source).group(1)
        assert not (_top_level_names(solution.source) & stubs)
        assert f"def {name}_solution(" in solution.source
        later = "\n".join(c.source for c in cells[i + 2:] if c.cell_type == "code")
        assert not re.search(rf"(?<![.\w]){name}\b(?!_solution)", later), \
            "no code after the self-check may use the student's function (bh.fast.adam_step may)"
        # saved outputs: the stub's self-check says "not implemented", the solution's says right
        assert "not implemented yet" in said(check) and "✗" in said(check)
        assert re.search(r"✓ \w+_solution: (all \d+ cases )?right", said(solution)) and "✗" not in said(solution)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_indexing_convention(path):
    """h_t = σ(x_t U + h_{t−1} W) everywhere; no text writes the other convention."""
    text = "\n".join(_src(c) for c in _cells(path))
    other = re.compile(r"h_\{?t\s*\+\s*1\}?\s*=\s*\\?(σ|sigma)|h<sub>t\+1</sub>\s*=\s*σ")
    assert not other.findall(text)


# Lazy answers every self-check must reject: the generic ones below for every exercise, and
# those written for one exercise.  Each is run through the self-check cell itself, in the
# notebook's own kernel, after everything above it has run.
GENERIC_LAZY = [
    "def {name}(*args, **kwargs):\n    return None",
    "def {name}(*args, **kwargs):\n    return 0",
    "def {name}(*args, **kwargs):\n    return args[0]",
]
# 03's lazy answers share its recursion: _deltas gives (delta_o (T, N, 1), delta_h (T, N, H)), without
# the term through W when recurrent=False; _carried sends the error of output s back to step first(s)
_DELTAS_03 = (
    "def _deltas(params, trace, targets, recurrent=True):\n"
    "    o, h = trace.output, trace.hidden\n"
    "    d_out, d_h, later = [], [], np.zeros_like(h[0])\n"
    "    for t in reversed(range(len(o))):\n"
    "        d_out.insert(0, ((o[t] - targets[t]) * o[t] * (1 - o[t]))[:, None])\n"
    "        back = later @ params.W.T if recurrent else 0.0\n"
    "        later = (back + d_out[0] @ params.V.T) * h[t + 1] * (1 - h[t + 1])\n"
    "        d_h.insert(0, later)\n"
    "    return np.array(d_out), np.array(d_h)\n")
_CARRIED_03 = _DELTAS_03 + (
    "def _carried(params, trace, targets, first):\n"
    "    h, G = trace.hidden, np.zeros_like(params.W)\n"
    "    d_out, _ = _deltas(params, trace, targets)\n"
    "    for s in range(len(d_out)):\n"
    "        d = (d_out[s] @ params.V.T) * h[s + 1] * (1 - h[s + 1])\n"
    "        for t in range(s, max(first(s), 0) - 1, -1):\n"
    "            G += h[t].T @ d\n"
    "            d = (d @ params.W.T) * h[t] * (1 - h[t])\n"
    "    return G\n")
SPECIFIC_LAZY = {
    "sum_many": [                                  # 00: Python adds, not the network
        "def sum_many(numbers):\n    return sum(numbers)",
        "def sum_many(numbers):\n    total = numbers[0]\n    for n in numbers[1:]:\n"
        "        total = bh.add(params, total, n)\n    return total",
    ],
    "to_bits_lsb_first": [                         # 00: MSB first; the library, reversed
        "def to_bits_lsb_first(n, width):\n    return [int(c) for c in f'{n:0{width}b}']",
        "def to_bits_lsb_first(n, width):\n    return [int(bit) for bit in bh.to_bits(n, width)[::-1]]",
    ],
    "add_bits_lsb_first": [                        # 01: no carry; Python's +; the last carry lost
        "def add_bits_lsb_first(a_bits, b_bits):\n"
        "    a = sum(bit << t for t, bit in enumerate(a_bits))\n"
        "    b = sum(bit << t for t, bit in enumerate(b_bits))\n"
        "    return [((a + b) >> t) & 1 for t in range(len(a_bits) + 1)]",
        "def add_bits_lsb_first(a_bits, b_bits):\n    carry, out = 0, []\n"
        "    for x, y in zip(a_bits, b_bits):\n        s, carry = full_adder(x, y, carry)\n"
        "        out.append(s)\n    return out",
        "def add_bits_lsb_first(a_bits, b_bits):\n    return a_bits + [0]",
        "def add_bits_lsb_first(a_bits, b_bits):\n"
        "    return [x ^ y for x, y in zip(a_bits, b_bits)] + [0]",
    ],
    "longest_carry_chain": [                       # 01: counts carries, not the longest run
        "def longest_carry_chain(a, b):\n    return bin((a ^ b ^ (a + b)) >> 1).count('1')",
        "def longest_carry_chain(a, b):\n    return max(len(r) for r in f'{a & b:b}'.split('0'))",
    ],
    "subtract_bits_lsb_first": [                   # 01: no borrow; Python's -; a borrow lost
        "def subtract_bits_lsb_first(a_bits, b_bits):\n    return [x ^ y for x, y in zip(a_bits, b_bits)]",
        "def subtract_bits_lsb_first(a_bits, b_bits):\n"
        "    a = sum(bit << t for t, bit in enumerate(a_bits))\n"
        "    b = sum(bit << t for t, bit in enumerate(b_bits))\n"
        "    return [((a - b) >> t) & 1 for t in range(len(a_bits))]",
        "def subtract_bits_lsb_first(a_bits, b_bits):\n    borrow, out = 0, []\n"
        "    for x, y in zip(a_bits, b_bits):\n        out.append(x ^ y ^ borrow)\n"
        "        borrow = int(x < y)\n    return out",
    ],
    "rnn_step": [                                  # 02: no memory; W the wrong way round
        "def rnn_step(x_t, h_prev, U, W):\n    return bh.sigmoid(x_t @ U)",
        "def rnn_step(x_t, h_prev, U, W):\n    return bh.sigmoid(x_t @ U + h_prev @ W.T)",
    ],
    "forward_outputs": [                           # 02: a constant answer; bh.forward does it
        "def forward_outputs(params, a, b):\n    return np.zeros(8)",
        "def forward_outputs(params, a, b):\n    return np.full(8, 0.5)",
        "def forward_outputs(params, a, b):\n"
        "    x, _ = bh.addition_batch(np.array([a]), np.array([b]))\n"
        "    return bh.forward(params, x).output[:, 0]",
    ],
    "count_parameters": [                          # 02: the answer for H = 16 only; V forgotten
        "def count_parameters(H):\n    return 304",
        "def count_parameters(H):\n    return 2 * H + H * H",
        "def count_parameters(H):\n    p = bh.init_params(H)\n    return p.U.size + p.W.size + p.V.size",
    ],
    "sgd_update": [                                # 04: the wrong sign; no learning rate; in place
        "def sgd_update(weights, gradient, alpha):\n    return weights + alpha * gradient",
        "def sgd_update(weights, gradient, alpha):\n    return weights - gradient",
        "def sgd_update(weights, gradient, alpha):\n    weights -= alpha * gradient\n    return weights",
    ],
    "first_logged_step_below": [                   # 04: the first entry; the last one below
        "def first_logged_step_below(log, threshold):\n    return log[0].step",
        "def first_logged_step_below(log, threshold):\n"
        "    return max((e.step for e in log if e.error < threshold), default=None)",
    ],
    "adam_step": [                                 # 04: no bias correction; sign descent; the library
        "def adam_step(w, g, m, v, t, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g ** 2\n"
        "    return w - lr * m / (np.sqrt(v) + eps), m, v",
        "def adam_step(w, g, m, v, t, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    return w - lr * np.sign(g), m, v",
        "def adam_step(w, g, m, v, t, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    return bh.fast.adam_step(w, g, m, v, t, lr, beta1, beta2, eps)",
    ],
    "carry_machine": [                             # 05: nothing; the sum bit without the carry
        "def carry_machine():\n    return np.zeros((2, 4), int), np.zeros((2, 4), int)",
        "def carry_machine():\n    xor = np.array([0, 1, 1, 0])\n"
        "    return np.zeros((2, 4), int), np.array([xor, xor])",
        "def carry_machine():\n    return np.zeros((2, 4)), np.zeros((2, 4))",
        "def carry_machine():\n    return [[0, 0, 0, 1], [0, 1, 1, 1]]",
    ],
    "carry_sequence": [                            # 05: generate only; the library's carries
        "def carry_sequence(p, q, width=8):\n    return [((p >> t) & (q >> t)) & 1 for t in range(width)]",
        "def carry_sequence(p, q, width=8):\n"
        "    return bh.carries(np.array([p]), np.array([q]), width)[:, 0].tolist()",
        "def carry_sequence(p, q, width=8):\n"
        "    x, _ = bh.addition_batch(np.array([p]), np.array([q]), width)\n"
        "    return bh.ripple_carry(x)[1][:, 0].tolist()",
    ],
    "smallest_hidden_size": [                      # 05: trains nothing; forgets the seed
        "def smallest_hidden_size(seed, sizes=range(1, 9)):\n    return min(sizes)",
        "def smallest_hidden_size(seed, sizes=range(1, 9)):\n    return max(sizes)",
        "def smallest_hidden_size(seed, sizes=range(1, 9)):\n"
        "    return next((H for H in sorted(sizes) if H >= 6), None)",
        "def smallest_hidden_size(seed, sizes=range(1, 9)):\n    for H in sorted(sizes):\n"
        "        if bh.train_fast(hidden_size=H)[1].converged:\n            return H\n    return None",
    ],
    "grad_initial_state": [                        # 03: no W; W not transposed; a slope too many;
        _DELTAS_03 + "def grad_initial_state(params, trace, targets):\n"  # no recurrence; 0; the library
        "    return _deltas(params, trace, targets)[1][0]",
        _DELTAS_03 + "def grad_initial_state(params, trace, targets):\n"
        "    return _deltas(params, trace, targets)[1][0] @ params.W",
        _DELTAS_03 + "def grad_initial_state(params, trace, targets):\n"
        "    h0 = trace.hidden[0]\n"
        "    return (_deltas(params, trace, targets)[1][0] @ params.W.T) * h0 * (1 - h0)",
        _DELTAS_03 + "def grad_initial_state(params, trace, targets):\n"
        "    return _deltas(params, trace, targets, recurrent=False)[1][0] @ params.W.T",
        "def grad_initial_state(params, trace, targets):\n    return np.zeros_like(trace.hidden[0])",
        "def grad_initial_state(params, trace, targets):\n"
        "    *_, (t, d_out, d_h) = bh.backward_steps(params, trace, targets)\n"
        "    return d_h @ params.W.T",
    ],
    "bias_gradients": [                            # 03: no biases; d_bo of one step, or without its
        _DELTAS_03 + "def bias_gradients(params, b_h, b_o, inputs, targets):\n"  # slope; no recurrence;
        "    d_out, d_h = _deltas(params, bh.forward(params, inputs), targets)\n"  # a mean; zeros
        "    return d_h.sum(axis=(0, 1)), d_out.sum(axis=(0, 1))",
        _DELTAS_03 + "def bias_gradients(params, b_h, b_o, inputs, targets):\n"
        "    d_out, d_h = _deltas(params, forward_with_biases(params, b_h, b_o, inputs), targets)\n"
        "    return d_h.sum(axis=(0, 1)), d_out[-1].sum(axis=0)",
        _DELTAS_03 + "def bias_gradients(params, b_h, b_o, inputs, targets):\n"
        "    trace = forward_with_biases(params, b_h, b_o, inputs)\n"
        "    d_out, d_h = _deltas(params, trace, targets)\n"
        "    return d_h.sum(axis=(0, 1)), np.sum(trace.output - targets, keepdims=True)[0]",
        _DELTAS_03 + "def bias_gradients(params, b_h, b_o, inputs, targets):\n"
        "    trace = forward_with_biases(params, b_h, b_o, inputs)\n"
        "    d_out, d_h = _deltas(params, trace, targets, recurrent=False)\n"
        "    return d_h.sum(axis=(0, 1)), d_out.sum(axis=(0, 1))",
        _DELTAS_03 + "def bias_gradients(params, b_h, b_o, inputs, targets):\n"
        "    d_out, d_h = _deltas(params, forward_with_biases(params, b_h, b_o, inputs), targets)\n"
        "    return d_h.sum(axis=0).mean(axis=0), d_out.sum(axis=0).mean(axis=0)",
        "def bias_gradients(params, b_h, b_o, inputs, targets):\n"
        "    return np.zeros(params.hidden_size), np.zeros(1)",
    ],
    "truncated_grad_W": [                          # 03: k ignored (the full gradient; own outputs
        "def truncated_grad_W(params, trace, targets, k):\n"       # only); a step too far; chunks of
        "    return bh.backward(params, trace, targets).W",         # k steps; the last k steps; zeros
        "def truncated_grad_W(params, trace, targets, k):\n"
        "    return our_backward(params, trace.inputs, targets, recurrent=False).W",
        _CARRIED_03 + "def truncated_grad_W(params, trace, targets, k):\n"
        "    return _carried(params, trace, targets, lambda s: s - k)",
        _CARRIED_03 + "def truncated_grad_W(params, trace, targets, k):\n"
        "    return _carried(params, trace, targets, lambda s: s - s % k)",
        _DELTAS_03 + "def truncated_grad_W(params, trace, targets, k):\n"
        "    _, d_h = _deltas(params, trace, targets)\n"
        "    return sum(trace.hidden[t].T @ d_h[t] for t in range(len(d_h) - k, len(d_h)))",
        "def truncated_grad_W(params, trace, targets, k):\n    return np.zeros_like(params.W)",
    ],
}


def _lazy_cell(names, check_source):
    """Code that runs ``check_source`` once for each lazy version of the exercise's function and
    fails if any passes, then puts the stub back."""
    [name] = [n for n in names if not n.startswith("_")]      # an exercise defines one name
    lazies = [lazy.format(name=name) for lazy in GENERIC_LAZY] + SPECIFIC_LAZY.get(name, [])
    return "\n".join([
        "import contextlib as _contextlib, io as _io",
        f"_stub = {name}",
        f"for _lazy in {lazies!r}:",
        "    exec(_lazy, globals())",
        "    _out = _io.StringIO()",
        "    with _contextlib.redirect_stdout(_out):",
        f"        exec({check_source!r}, globals())",
        "    assert '✓' not in _out.getvalue() and '✗' in _out.getvalue(), (_lazy, _out.getvalue())",
        f"{name} = _stub",
    ])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_student_copy_runs_its_self_checks_say_not_yet_and_reject_lazy_answers(path, tmp_path):
    """The student copy (no solutions) runs top to bottom without an error, so nothing depends on
    a solution; every self-check reports the stub as not done (never a traceback); and run again
    with each lazy answer in place of the stub, every self-check says it is wrong."""
    import nbformat
    from nbclient import NotebookClient

    [copy] = load_tool("classroom").write_student_copies(tmp_path, [path])
    nb = nbformat.read(copy, as_version=4)
    found, cells = iter(exercises(path)), []
    for cell in nb.cells:
        cells.append(cell)
        if "self-check" in cell.metadata.get("tags", []):
            names, check = next(found)
            assert _src(cell) == check, "the student copy's self-check differs from the notebook's"
            cells.append(nbformat.v4.new_code_cell(_lazy_cell(names, check)))
    nb.cells = cells
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(copy.parent)}}).execute()
    checks = [c for c in nb.cells if "self-check" in c.metadata.get("tags", [])]
    assert len(checks) >= 2, path.name
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert "✗" in text and "not implemented yet" in text, text


# ---------------------------------------------------------------------------- saved widgets and size
MAX_NOTEBOOK_BYTES = 2_000_000           # every scrubber frame is saved in its notebook: keep it light
#: the scrubbers whose frames can be enumerated, so they must work with no kernel (issue: decks, pages)
KERNEL_FREE = {"01", "02", "03", "04"}


def _widget_state(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})


def _descendants(model_id, state):
    """The model ids under a box (children), itself included."""
    found = [model_id]
    for child in state[model_id]["state"].get("children", []):
        found += _descendants(child.removeprefix("IPY_MODEL_"), state)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_notebook_with_all_its_frames_stays_under_2_mb(path):
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saved_widgets_switch_frames_in_the_browser_or_say_they_need_a_kernel(path):
    """Every saved widget of the series is either kernel-free (each Stack of frames linked by a
    jslink to a control of the same widget, each page a picture and a text line) or shows the
    "needs a running kernel" line; 01-04's scrubbers are kernel-free."""
    state = _widget_state(path)
    boxes = [k for k, m in state.items() if "binrnn-widget" in m["state"].get("_dom_classes", [])]
    links = {m["state"]["target"][0].removeprefix("IPY_MODEL_"): m["state"]["source"]
             for m in state.values() if m["model_name"] == "LinkModel"}
    kernel_free = 0
    for box in boxes:
        inside = _descendants(box, state)
        if "binrnn-kernel-free" in state[box]["state"]["_dom_classes"]:
            kernel_free += 1
            stacks = [k for k in inside if state[k]["model_name"] == "StackModel"]
            assert stacks, f"{path.name}: a kernel-free widget without frames"
            for stack in stacks:
                source = links.get(stack)
                assert source and source[0].removeprefix("IPY_MODEL_") in inside, \
                    f"{path.name}: a Stack of frames that no control of its widget switches"
                assert source[1] in ("value", "index")
            pages = [state[c.removeprefix("IPY_MODEL_")]["state"]["value"] for s in stacks
                     for c in state[s]["state"]["children"]
                     if state[c.removeprefix("IPY_MODEL_")]["model_name"] == "HTMLModel"]
            assert pages and all(re.match(r'<img class="binrnn-frame" alt="" src="data:image/png;base64,', p)
                                 and '<div class="binrnn-text" style="max-width:' in p for p in pages)
            assert len(set(pages)) == len(pages)                   # each frame saved once
        else:
            notes = [state[k]["state"].get("value", "") for k in inside
                     if "binrnn-needs-kernel" in state[k]["state"].get("_dom_classes", [])]
            assert notes and "Needs a running kernel" in notes[0], \
                f"{path.name}: a widget that computes in the kernel and does not say so"
    assert (kernel_free > 0) == (path.name[:2] in KERNEL_FREE), f"{path.name}: {kernel_free} kernel-free scrubbers"


# ---------------------------------------------------------------------------- 03's finite differences
def test_03_exercise_checks_leave_room_for_rounding():
    """03's self-checks compare with central differences at rtol 1e-5 per entry, as its text says,
    because a correct answer is far closer: its worked solutions still pass with a tolerance 30
    times tighter, and no entry that Exercises 1 and 2 (and 3's differences) check is below 1e-4."""
    import nbformat
    from nbclient import NotebookClient

    path = next(p for p in NOTEBOOKS if p.name.startswith("03_"))
    nb = nbformat.read(str(path), as_version=4)
    solutions = [c.source for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    nb.cells.append(nbformat.v4.new_code_cell("\n".join([
        "import contextlib as _contextlib, io as _io",
        "_check = bh.exercises.check_function",
        "bh.exercises.check_function = lambda *a, rtol=1e-6, **k: _check(*a, rtol=rtol / 30, **k)",
        "_said = _io.StringIO()",
        "with _contextlib.redirect_stdout(_said):",
        f"    for _source in {solutions!r}:",
        "        exec(_source, globals())",
        "bh.exercises.check_function = _check",
        "_differences = ([e for _, e in ex1_cases] + [g for _, pair, _ in ex2_cases for g in pair]",
        "                + [e for (label,), e in ex3_cases if 'k = 2' in label or 'k = 3' in label])",
        "print(_said.getvalue(), min(np.abs(e).min() for e in _differences))",
    ])))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    said = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    lines = said.splitlines()
    assert len(solutions) == 3 and [ln[0] for ln in lines[:3]] == ["✓"] * 3, said
    assert float(lines[-1]) >= 1e-4, said
