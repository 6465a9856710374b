"""The notebook series: its files and titles, and the Binder links and navigation between them.

The Binder repository slug lives here and nowhere else.  tests/test_binder_links.py checks that
every Binder link in the README and the notebooks is the one ``binder_url`` makes, and that every
notebook opens with the header ``header_markdown`` makes for it (paste it from
``python tools/series.py`` after adding or renaming a notebook).
"""
import urllib.parse

#: GitHub "owner/name" that Binder builds from (a fork changes it here, then the links the test names).
BINDER_SLUG = "binrnn/binrnn"
BINDER_REF = "HEAD"

NOTEBOOKS = [
    ("00_start_here.ipynb", "Start here: a network that learns to add"),
    ("01_binary_encoding.ipynb", "Binary encoding: numbers as bits, and the carry"),
    ("02_forward_pass.ipynb", "The forward pass: one step, then eight"),
    ("03_backprop_through_time.ipynb", "Backpropagation through time"),
    ("04_training.ipynb", "Training: the post's loop, reproduced and sped up"),
    ("05_what_the_network_learned.ipynb", "What the network learned, and where it breaks"),
]

#: The files each notebook opens, relative to the repository root (its code quotes them as
#: "../<path>").  Student copies (tools/classroom.py student) carry exactly these, and
#: tests/test_classroom.py checks that they are what the notebooks open.
DATA_FILES = {
    "04_training.ipynb": ("tests/data/post_published_log.txt", "tests/data/post_final_weights.npz",
                          "benchmarks/results/train_speed.json"),
    "05_what_the_network_learned.ipynb": ("benchmarks/results/long_sums.json",
                                          "benchmarks/results/where_it_breaks.json"),
}


def binder_url(notebook=None):
    """The mybinder.org link that builds the repository and opens ``notebook`` in JupyterLab."""
    url = f"https://mybinder.org/v2/gh/{BINDER_SLUG}/{BINDER_REF}"
    if notebook is not None:
        url += "?labpath=" + urllib.parse.quote(f"notebooks/{notebook}", safe="")
    return url


def binder_badge(notebook=None):
    return f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder_url(notebook)})"


def header_markdown(notebook):
    """The navigation line and Binder badge at the top of ``notebook``."""
    names = [name for name, _ in NOTEBOOKS]
    i = names.index(notebook)
    prev = f"[< {NOTEBOOKS[i - 1][1]}]({names[i - 1]})" if i > 0 else "< (this is the first)"
    nxt = f"[{NOTEBOOKS[i + 1][1]} >]({names[i + 1]})" if i + 1 < len(names) else "(this is the last) >"
    return f"{prev} | [Contents](00_start_here.ipynb#Contents) | {nxt}\n\n{binder_badge(notebook)}"

# The lesson deck (make slides builds it beside the per-notebook decks): cells of the notebooks, by
# notebook and cell id, in order; "code": show a code cell's source (else only its outputs);
# "note": the speaker note for that slide (the guide's cue: what to say, what to ask, the answer).
LESSON_TITLE = "Backpropagation through time in 50 minutes"
LESSON_FILE = "lesson_bptt"
LESSON_TITLE_NOTE = ("The three objectives (guide, 'BPTT in 50 minutes'): run the delta recursion by hand; "
                     "turn the deltas into gradients, sums over time, and one update; check a backward pass "
                     "against central differences and say how far back an error reaches. Question of the "
                     "hour: the error of the last output must reach weights that acted seven steps earlier; "
                     "how?")
LESSON = [
    # 2-9 min: the forward pass, recapped (02)
    {"nb": "02", "cell": "7c268e64", "code": False,
     "note": "Recap: one step is z_t = x_t U + h_{t-1} W, h_t = σ(z_t), o_t = σ(h_t V), starting from "
             "h_{-1} = 0 (the post's layer_1 and layer_2). Ask: which of the three matrices carries "
             "anything from one step to the next? Answer: only W; U brings in the two new bits, V reads "
             "the output out. The slide's last line leads to 02's step 0 by hand, left out here; the "
             "scrubber on slide 4 shows its result, o_0 = 0.52."},
    {"nb": "02", "cell": "3d76320c", "code": False,
     "note": "One loop, eight identical steps: the same U, W, V at every step, 304 numbers in all. Ask: "
             "how many weights would 32-bit numbers need? Answer: still 304; longer numbers only mean "
             "more steps."},
    {"nb": "02", "cell": "45e5d332", "code": False,
     "note": "Copy this chain onto the board now, with H = 2 (the guide's board plan), and keep it up all "
             "lesson. Point at the two arrows into each h_t: from x_t through U, from h_{t-1} through W. "
             "Ask: along which arrow can step 3 affect the output of step 4? Answer: only W, from h_3 to "
             "h_4, so the error of o_4 must travel back along that arrow."},
    {"nb": "02", "cell": "4ed5c67c", "code": False,
     "note": "Click the slider, then use the arrow keys; click the slide outside the widget to go on. "
             "Switch to trained and step from 2 to 3 and from 5 to 6: the carry switches on (1 + 1 at "
             "step 3) and off (step 6), and several units jump. Ask: why must h_t change when the carry "
             "does? Answer: step t+1 sees only x_{t+1} and h_t; the output o_t is not fed back."},
    # 9-12 min: what is differentiated (03 section 1)
    {"nb": "03", "cell": "44a46209", "code": False,
     "note": "Our running example from here on: 9 + 60 with the post's starting weights. The post prints "
             "E = Σ|y - o| = 3.45638663 (its first logged number, to the last digit) but descends "
             "L = ½Σ(y - o)² = 0.816. Ask: which of the two does the backward pass differentiate? "
             "Answer: only L; E is a progress report (misconception 2)."},
    # 12-22 min: the output delta, the recursion at the board, the recursion in code
    {"nb": "03", "cell": "1beae594", "code": True,
     "note": "Start at the output: δo_t = ∂L/∂z^o_t = (o_t - y_t) o_t (1 - o_t), the slope taken from "
             "the stored output. Ask: why negative at steps 0, 2 and 6? Answer: there the target is 1 "
             "and o_t < 1, so raising z^o_t lowers the loss. Then press B (black screen) and derive the "
             "hidden-delta recursion on the board's H = 2 chain; B again to come back."},
    {"nb": "03", "cell": "a339b82e", "code": True,
     "note": "The board's recursion as code, t = 7 down to 0: from_later is δh_{t+1}Wᵀ, from_output is "
             "δo_t Vᵀ, both times the slope h_t(1 - h_t). delta_h has its extra row at the end "
             "(delta_h[T] = 0), trace.hidden at the front (hidden[t+1] = h_t). Ask: why backwards? "
             "Answer: each δh_t needs δh_{t+1}. Live demo 1 comes at slide 9."},
    # 22-26 min: is it right, and what the deltas give
    {"nb": "03", "cell": "4b6165a2", "code": False,
     "note": "Ask the room before the next slide: if δh_t[i] is ∂L/∂z^h_t[i], how could we test it "
             "without any calculus? Answer: move z^h_t[i] by ±ε, rerun the forward pass from that step "
             "on, and take the slope of the loss."},
    {"nb": "03", "cell": "96b89c78", "code": False,
     "note": "Recursion and nudging agree in every printed digit at three (step, unit) pairs. Ask: which "
             "later steps contribute to δh_0? Answer: all of steps 1 to 7, through W, plus step 0's "
             "own output through V; the recursion collects them in one backward sweep. Live: let a "
             "student pick another (t, i), e.g. (5, 3) gives -0.000311 both ways."},
    {"nb": "03", "cell": "bc0f44e1", "code": True,
     "note": "The weights are shared, so each gradient is a sum over the steps: dV = Σ h_tᵀδo_t, "
             "dW = Σ h_{t-1}ᵀδh_t, dU = Σ x_tᵀδh_t. Ask: shape of one dW term, and why h_{t-1}? "
             "Answer: (H, N)(N, H) = (16, 16); in step t, W multiplies h_{t-1}. Say it now: this is one "
             "gradient for the whole sequence, and the weights change once, after it (misconception 11)."},
    {"nb": "03", "cell": "080ed925", "code": False,
     "note": "One step of the post's rule (W += alpha * W_update, where W_update is minus the gradient) "
             "lowers this sum's loss from 0.815972 to 0.813644. Ask: does that show the gradient is "
             "right? Answer: no; a slightly wrong gradient usually lowers the loss too. Hence the check "
             "on the next slides."},
    # 26-32 min: the gradient check, and a bug it catches
    {"nb": "03", "cell": "60ac44c4", "code": False,
     "note": "Nudge one weight by ±ε and compare slopes. Central differences err like ε², one-sided like "
             "ε (at ε = 1e-3 the notebook prints 9.9e-10 against 1.1e-05), until ε is so small that "
             "rounding in L takes over and the error climbs again. Ask: why not ε = 1e-12? Answer: the "
             "rounding of L, divided by ε, would swamp the answer."},
    {"nb": "03", "cell": "08bd5859", "code": False,
     "note": "All 304 weights: relative errors around 1e-10 (the digits differ between computers; all "
             "are far below 1e-7). Ask: what does this establish? Answer: strong numerical evidence that "
             "the backward pass is the gradient of L here, at these weights and this sum; not a proof. "
             "The derivation is the argument; the check catches slips (misconception 3)."},
    {"nb": "03", "cell": "64120cf0", "code": False,
     "note": "Predictions first: drop the term δh_{t+1}Wᵀ; which of dU, dW, dV will fail the check? Take "
             "three answers from the room before moving on. (Next slide: U and W fail, V passes.)"},
    {"nb": "03", "cell": "f0b41918", "code": False,
     "note": "U 0.403 and W 0.257 FAIL, V 0.000 passes. Ask: why does V pass? Answer: dV = Σ h_tᵀδo_t "
             "uses only the output deltas, which the missing term never touches; a per-parameter table "
             "points at the broken part. Live demo 2 (03 section 6) is this cell."},
    # 32-38 min: watching the error flow back
    {"nb": "03", "cell": "6b7fae4e", "code": False,
     "note": "Each δh_t has two parts: what arrives through W from step t+1 and what comes from this "
             "step's output through V, the two terms on the board. The scrubber on the next slide draws "
             "them step by step. Ask: how large is the part through W at t = 7? Answer: zero, δh_8 = 0."},
    {"nb": "03", "cell": "d83072db", "code": False,
     "note": "Click the slider (it starts at t = 7), then the left arrow key: δh fills in from the "
             "right, blue bars are the part via W, orange via V, dW builds up on the right. Ask: why does "
             "‖dU‖ stay 0 for the first two steps back? Answer: bits 7 and 6 of 9 and 60 are 0, so "
             "x_tᵀδh_t = 0 there. Click outside the widget to go on."},
    {"nb": "03", "cell": "12ac5dab", "code": False,
     "note": "The scrubber in numbers, rows in the order the pass runs. Ask: at which step does the part "
             "via W beat the part from the output? Answer: t = 1 (0.0316 against 0.0192). Ask: why can "
             "|dV| go down, 0.1734 to 0.1328 at t = 6? Answer: h_t > 0, so each term has the sign of "
             "δo_t; step 6's target is 1, step 7's is 0, and the new term cancels part of the sum."},
    # 38-42 min: how far back an error reaches
    {"nb": "03", "cell": "f60c03de", "code": False,
     "note": "How far back does an error reach? Each step back multiplies by Wᵀ and by slopes of at most "
             "1/4, so the sensitivity fades roughly geometrically (mind the log axis). Ask: why does "
             "addition still work? Answer: the carry is needed only one step later."},
    {"nb": "03", "cell": "80504670", "code": False,
     "note": "Per step back the sensitivity shrinks by about 0.49 (untrained) and 0.36 (trained) on "
             "average. Ask: how much is left 20 steps back? Answer: about 0.49²⁰ ≈ 6e-7 and "
             "0.36²⁰ ≈ 1e-9: vanishing gradients, why LSTM and GRU exist. Warn: this is not why MSB "
             "first fails; that is causality (misconception 12)."},
    # 42-46 min: one update per sum (04)
    {"nb": "04", "cell": "a7f9415f", "code": False,
     "note": "The post's loop: draw a sum, forward over 8 steps, backward over 8 steps, one update; step "
             "0 is our 9 + 60 with loss 0.8160. Ask: how many times did the weights change while these "
             "five lines were printed? Answer: five, once per sum, after the whole backward pass; not "
             "once per time step."},
    {"nb": "04", "cell": "3f4d3744", "code": False,
     "note": "Left: the printed error of each step's sum (noisy) and its running mean; middle: the share of "
             "all 16,384 sums right; right: each bit. Ask: step 7000 prints 1.43, step 6000 printed "
             "0.58: did it get worse? Answer: no, 4 + 125 is a harder sum (a long carry); the mean and "
             "the accuracy keep improving. Note the plateau near 4, then the bits come right."},
    {"nb": "04", "cell": "99649b7b", "code": False,
     "note": "Bit 0 is right on every pair from step 3750, bit 1 from 5250, the rest between 6000 and "
             "7000. Ask: why bit 0 first? Answer: it is a_0 XOR b_0 and needs no carry, so no error has "
             "to flow through W; the others need the carry, learned through the δh_{t+1}Wᵀ route."},
    {"nb": "04", "cell": "29d4de98", "code": False,
     "note": "Snapshots every 250 steps of the post's run answering 9 + 60; it opens at step 5000. Scrub "
             "from 3000 to 6000: bits 4, 5 and 6 stay wrong longest (bit 5 until 5750). Ask: what do "
             "those bits have in common? Answer: each receives a carry from the column before. Then the "
             "exit ticket (in the guide)."},
]

if __name__ == "__main__":
    print(f"README badge:\n{binder_badge(NOTEBOOKS[0][0])}\n")
    for name, title in NOTEBOOKS:
        print(f"{name}:\n# {title}\n\n{header_markdown(name)}\n")
