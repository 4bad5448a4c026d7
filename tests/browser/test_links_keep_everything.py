"""A shared link keeps everything: on each page, every control is set away from its default as a user would (sliders
moved by keyboard, options picked, numbers typed), the address is copied, and opened in a fresh browser context it
shows the same controls and the same numbers."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from .conftest import AppPage
from .waiting import wait_for

SNAPSHOT = """() => {
  const label = (e) => (e.querySelector('[data-testid="stWidgetLabel"]')?.innerText || '').trim();
  const out = {};
  for (const e of document.querySelectorAll('[data-testid="stSlider"]')) {
    out['slider: ' + label(e)] = e.querySelector('[data-testid="stSliderThumbValue"]')?.innerText.trim();
  }
  for (const e of document.querySelectorAll('[data-testid="stRadio"]')) {
    out['radio: ' + label(e)] = e.querySelector('input:checked')?.closest('label')?.innerText.trim();
  }
  for (const e of document.querySelectorAll('[data-testid="stNumberInput"]')) {
    out['number: ' + label(e)] = e.querySelector('input')?.value;
  }
  for (const e of document.querySelectorAll('[data-testid="stSelectbox"]')) {
    out['select: ' + label(e)] = e.querySelector('input[role="combobox"]')?.value;
  }
  for (const e of document.querySelectorAll('[data-testid="stCheckbox"]')) {
    out['checkbox: ' + e.innerText.trim()] = e.querySelector('input')?.checked;
  }
  out['segmented'] = [...document.querySelectorAll('button[data-variant="segmented_control"][aria-checked="true"]')]
    .map((b) => b.innerText.trim());
  out['tab'] = [...document.querySelectorAll('[role="tab"][aria-selected="true"]')].map((t) => t.innerText.trim());
  out['metrics'] = [...document.querySelectorAll('[data-testid="stMetricValue"]')].map((m) => m.innerText.trim());
  return out;
}"""


def snapshot(app: AppPage) -> dict:
    return app.page.evaluate(SNAPSHOT)


def snapshot_with_sidebar(app: AppPage) -> dict:
    """The page's controls once the sidebar's are all drawn (a busy machine draws the page's title first)."""

    def sidebar_drawn() -> bool:
        shown = {key.partition(": ")[2] for key in snapshot(app)}
        return SIDEBAR_LABELS <= shown

    assert wait_for(sidebar_drawn, timeout=30), snapshot(app)
    return snapshot(app)


def widget(app: AppPage, kind: str, label: str):
    return app.page.locator(f"[data-testid='{kind}']").filter(has_text=label).first


def press_slider(app: AppPage, label: str, key: str, times: int = 1) -> None:
    """Move a slider by keyboard: focus its thumb (a range input) and press the arrow key."""
    widget(app, "stSlider", label).locator("input").focus()
    for _ in range(times):
        app.page.keyboard.press(key)
    app.settle()


def pick_radio(app: AppPage, label: str, option: str) -> None:
    widget(app, "stRadio", label).get_by_text(option, exact=True).click()
    app.settle()


def pick_select(app: AppPage, label: str, option: str) -> None:
    app.choose(label, option)
    app.settle()


def type_number(app: AppPage, label: str, value: str, commit: str = "Enter") -> None:
    """Type into a number box; commit with Enter, or with Tab inside a form (where Enter would submit it)."""
    box = app.page.locator("[data-testid='stNumberInput'] input").and_(app.page.get_by_label(label, exact=True))
    box.fill(value)
    box.press(commit)
    app.settle()


def pick_segment(app: AppPage, option: str) -> None:
    """Pick an option of a segmented control (its buttons are radios in Streamlit 1.67)."""
    app.page.locator("button[data-variant='segmented_control']").filter(has_text=option).first.click()
    app.settle()


def open_tab(app: AppPage, name: str) -> None:
    app.page.get_by_role("tab", name=name).click()
    app.settle()


SIDEBAR_LABELS = {
    "Cell activation f",
    "Weight scale of W_hh",
    "Initialisation of W_hh",
    "Hidden size H",
    "Sequence length T",
    "Input x_t",
    "Where the loss sits",
    "Random seed",
}


def the_sidebar_away_from_its_defaults(app: AppPage) -> None:
    """Every shared control moved: the activation, the scale (keyboard), the initialisation, H and T (keyboard), the
    input, the loss and the seed."""
    pick_select(app, "Cell activation f", "ReLU")
    press_slider(app, "Weight scale of W_hh", "ArrowLeft", 2)
    pick_select(app, "Initialisation of W_hh", "orthogonal")
    press_slider(app, "Hidden size H", "ArrowLeft", 3)
    press_slider(app, "Sequence length T", "ArrowLeft", 4)
    pick_select(app, "Input x_t", "no input")
    pick_select(app, "Where the loss sits", "many to many: loss at every step")
    type_number(app, "Random seed", "5")


def shared_link_shows_the_same(browser, app: AppPage, before: dict, opened: dict) -> dict:
    """Open the page's address in a fresh browser context; it shows `before`. Returns what it shows."""
    address = app.address()
    assert urlparse(address).query, "the address holds the changed controls"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = AppPage(context.new_page(), app.base_url)
        fresh.page.set_default_timeout(60_000)
        fresh.visit(address)
        assert wait_for(lambda: snapshot(fresh) == before, timeout=20), (snapshot(fresh), before)
        fresh.assert_healthy()
        notices = fresh.page.get_by_text("could not be used")
        assert notices.count() == 0, notices.first.inner_text()
        return snapshot(fresh)
    finally:
        context.close()


def changed(default: dict, now: dict) -> set[str]:
    return {key for key in now if default.get(key) != now[key]}


def test_cells_link_keeps_the_forget_gate_bias_the_initialisation_and_the_sidebar(browser, app_page):
    app = app_page.open("cells")
    default = snapshot(app)
    press_slider(app, "LSTM forget-gate bias", "ArrowRight", 5)  # 1 -> 3.5
    pick_radio(app, "Gated cells' initialisation", "orthogonal W_hh blocks")
    press_slider(app, "Weight scale of W_hh", "ArrowLeft", 2)
    open_tab(app, "The GRU's gates")
    before = snapshot(app)
    assert before["slider: LSTM forget-gate bias (added to b_f)"] == "3.50"
    assert {"slider: LSTM forget-gate bias (added to b_f)", "radio: Gated cells' initialisation", "metrics", "tab"} <= (
        changed(default, before)
    )
    shared_link_shows_the_same(browser, app, before, default)


def test_gradients_link_keeps_the_rescaled_values_the_view_and_k(browser, app_page):
    app = app_page.open("gradients")
    default = snapshot(app)
    pick_segment(app, "rescaled")
    press_slider(app, "Weight scale of W_hh", "ArrowRight", 3)
    open_tab(app, "∂h_T/∂h_k up close")
    press_slider(app, "Step k to look at", "ArrowLeft", 5)
    before = snapshot(app)
    assert "rescaled" in before["segmented"]
    assert {"segmented", "slider: Step k to look at", "metrics", "tab"} <= changed(default, before)
    shared_link_shows_the_same(browser, app, before, default)


def test_long_range_memory_link_keeps_every_field_of_the_training_form(browser, app_page):
    app = app_page.open("memory")
    default = snapshot(app)
    pick_radio(app, "Precision of your run", "float32 (fast, as PyTorch trains)")
    pick_select(app, "Task", "copy memory")
    press_slider(app, "T: sequence length", "ArrowRight", 2)
    press_slider(app, "Hidden size H of every cell", "ArrowLeft", 1)
    press_slider(app, "Batch size", "ArrowLeft", 1)
    press_slider(app, "Training steps", "ArrowRight", 3)
    pick_radio(app, "Optimiser", "SGD")
    press_slider(app, "Learning rate", "ArrowLeft", 1)
    pick_radio(app, "Gradient clipping", "off")
    type_number(app, "Clipping threshold", "2.5", commit="Tab")
    press_slider(app, "LSTM forget-gate bias", "ArrowRight", 2)
    type_number(app, "Seed", "7", commit="Tab")
    before = snapshot(app)
    form = [
        key
        for key in before
        if key.partition(": ")[0] in ("slider", "radio", "number", "select")
        and key.partition(": ")[2] not in SIDEBAR_LABELS
    ]
    assert len(form) == 12 and set(form) <= changed(default, before), (form, changed(default, before))
    shared_link_shows_the_same(browser, app, before, default)


def test_regime_map_link_keeps_the_axis_and_the_sidebar(browser, app_page):
    app = app_page.open("regime_map")
    default = snapshot(app)
    pick_segment(app, "activation")
    press_slider(app, "Sequence length T", "ArrowLeft", 4)
    before = snapshot(app)
    assert {"segmented", "slider: Sequence length T"} <= changed(default, before)
    shared_link_shows_the_same(browser, app, before, default)


@pytest.mark.parametrize("view", ["One-hot vectors", "Weight sharing"])
def test_sequences_link_keeps_the_framing_and_the_counts(browser, app_page, view):
    app = app_page.open("sequences")
    default = snapshot(app)
    open_tab(app, view)
    if view == "One-hot vectors":
        widget(app, "stCheckbox", "Frame each sentence").locator("input").focus()
        app.page.keyboard.press("Space")
        app.settle()
    else:
        type_number(app, "Tokens per sentence T (padded)", "50")
        type_number(app, "Vocabulary size V", "300")
        type_number(app, "Hidden units H", "7")
    before = snapshot(app)
    assert changed(default, before) - {"tab"}, before
    if view == "Weight sharing":
        assert before["metrics"][0] == "105,000"  # T·V·H = 50 · 300 · 7
    shared_link_shows_the_same(browser, app, before, default)


def test_unfold_link_keeps_the_step_the_view_and_the_sidebar(browser, app_page):
    app = app_page.open("unfold")
    default = snapshot_with_sidebar(app)
    the_sidebar_away_from_its_defaults(app)
    moved = snapshot(app)
    press_slider(app, "Step t", "ArrowRight", 3)
    before = snapshot(app)
    step = next(key for key in before if key.startswith("slider: Step t"))
    assert step in changed(moved, before), (moved, before)
    sidebar = [key for key in default if key.partition(": ")[2] in SIDEBAR_LABELS]
    assert len(sidebar) == len(SIDEBAR_LABELS) and set(sidebar) <= changed(default, before), (default, before)
    shared_link_shows_the_same(browser, app, before, default)


def test_train_link_keeps_the_recipe(browser, app_page):
    app = app_page.open("train")
    default = snapshot(app)
    pick_select(app, "Activation f", "tanh")
    type_number(app, "Hidden size H", "20")
    type_number(app, "Window length T (characters)", "5")
    type_number(app, "Epochs", "2000")  # past the trainable 500: kept in the box and the link, refused by Train
    pick_select(app, "Optimiser", "SGD")
    type_number(app, "Learning rate", "0.01")
    pick_select(app, "Gradient clipping", "norm (Pascanu: rescale g when ‖g‖ > threshold)")
    type_number(app, "Clipping threshold", "2.5")
    widget(app, "stCheckbox", "Truncated BPTT").locator("input").focus()
    app.page.keyboard.press("Space")
    app.settle()
    type_number(app, "k: steps backpropagated", "2")
    type_number(app, "Seed", "7")
    before = snapshot(app)
    recipe = {
        "select: Activation f",
        "number: Hidden size H",
        "number: Window length T (characters)",
        "number: Epochs",
        "select: Optimiser",
        "number: Learning rate",
        "select: Gradient clipping",
        "number: Clipping threshold",
        "checkbox: Truncated BPTT",
        "number: k: steps backpropagated",
        "number: Seed",
    }
    assert recipe <= changed(default, before), (changed(default, before), before)
    assert before["number: Epochs"] == "2000"
    shared_link_shows_the_same(browser, app, before, default)


def test_the_sidebar_s_choices_show_their_names_the_address_their_values_and_back_moves_them(app_page):
    app = app_page.open("gradients", activation="leaky_relu")
    assert snapshot(app)["select: Cell activation f"] == "leaky ReLU"
    pick_select(app, "Cell activation f", "ReLU")
    pick_select(app, "Initialisation of W_hh", "identity (IRNN)")
    assert wait_for(lambda: app.query() == {"activation": "relu", "init": "identity"}), app.query()
    pick_select(app, "Cell activation f", "tanh")  # the default: left out of the address
    assert wait_for(lambda: app.query() == {"init": "identity"}), app.query()
    app.page.go_back()
    app.settle()
    assert wait_for(lambda: snapshot(app)["select: Cell activation f"] == "ReLU"), snapshot(app)
    assert app.query() == {"activation": "relu", "init": "identity"}
    app.page.locator("[data-testid='stSidebarNavLink']").filter(has_text="Unfold").first.click()
    assert wait_for(lambda: "/unfold" in app.address() and app.query() == {"activation": "relu", "init": "identity"})
    app.settle()
    assert snapshot(app)["select: Initialisation of W_hh"] == "identity (IRNN)"
    app.assert_healthy()
