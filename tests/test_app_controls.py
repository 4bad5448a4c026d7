"""The shared controls and the URL, in Streamlit's AppTest: every page opens, every setting's extremes and
choices work, a link sets the controls, and a malformed link falls back to the defaults with a visible notice.

(The address bar follows a widget change in the browser, where Streamlit writes bound widgets into the URL;
tests/browser/test_gradients.py checks that part.)
"""

import re
from dataclasses import asdict

import pytest
from conftest import ROOT, assert_healthy, run_app

from rnnviz.settings import CHOICES, DEFAULTS, PRESET_REGIMES, PRESETS, QUERY_KEYS, RANGES, Settings

PAGES = re.findall(r'st\.Page\("([^"]+)"', (ROOT / "app.py").read_text())
LOWEST = {QUERY_KEYS[name]: str(low) for name, (low, _) in RANGES.items()}
HIGHEST = {QUERY_KEYS[name]: str(high) for name, (_, high) in RANGES.items()}


def link_notice(at) -> str:
    return "\n".join(w.value for w in at.warning if "could not be used" in w.value)


def settings_of(at) -> Settings:
    return Settings(**{name: at.session_state[key] for name, key in QUERY_KEYS.items()})


def regime_labels(at) -> list[str]:
    return re.findall(r"badge\[([^\]]+)\]", " ".join(m.value for m in at.markdown))


def test_the_navigation_lists_every_page():
    assert len(PAGES) >= 9 and "pages/gradients.py" in PAGES and "pages/home.py" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_at_the_defaults(page):
    at = run_app(page)
    assert_healthy(at)
    assert settings_of(at) == Settings()


@pytest.mark.parametrize("page", ["pages/home.py", "pages/gradients.py"])
@pytest.mark.parametrize("extreme", [LOWEST, HIGHEST], ids=["lowest", "highest"])
def test_the_extreme_value_of_every_numeric_control_works(page, extreme):
    at = run_app(page, extreme)
    assert_healthy(at)
    assert not link_notice(at)
    assert asdict(settings_of(at)) == {**DEFAULTS, **{name: RANGES[name][extreme is HIGHEST] for name in RANGES}}
    assert regime_labels(at)


@pytest.mark.parametrize("name", ["activation", "init", "input_kind", "loss_placement"])
def test_every_choice_of_every_select_box_works_on_the_gradients_page(name):
    for choice in CHOICES[name]:
        at = run_app("pages/gradients.py", {QUERY_KEYS[name]: choice})
        assert_healthy(at)
        assert getattr(settings_of(at), name) == choice
        assert regime_labels(at), choice


def test_a_link_sets_every_control():
    link = {
        "activation": "sigmoid",
        "scale": "0.5",
        "init": "orthogonal",
        "H": "16",
        "T": "100",
        "input": "impulse",
        "loss": "many_to_many",
        "seed": "7",
    }
    at = run_app(None, link)
    assert_healthy(at)
    assert not link_notice(at)
    assert at.selectbox(key="activation").value == "sigmoid"
    assert at.slider(key="scale").value == 0.5
    assert at.selectbox(key="init").value == "orthogonal"
    assert at.slider(key="H").value == 16 and at.slider(key="T").value == 100
    assert at.selectbox(key="input").value == "impulse" and at.selectbox(key="loss").value == "many_to_many"
    assert at.number_input(key="seed").value == 7
    assert settings_of(at) == Settings(
        activation="sigmoid",
        scale=0.5,
        init="orthogonal",
        hidden_size=16,
        seq_length=100,
        input_kind="impulse",
        loss_placement="many_to_many",
        seed=7,
    )
    assert dict(at.query_params) == link  # the link is kept as it was given


def test_a_link_opens_the_gradients_page_with_its_settings_and_their_regime():
    at = run_app("pages/gradients.py", {"activation": "sigmoid", "scale": "0.5", "T": "100"})
    assert_healthy(at)
    assert settings_of(at) == Settings(activation="sigmoid", scale=0.5, seq_length=100)
    assert set(regime_labels(at)) == {"vanishing"}


def test_a_widget_change_reaches_the_page():
    at = run_app(None)
    at.selectbox(key="activation").set_value("relu").run()
    at.selectbox(key="init").set_value("identity").run()
    at.slider(key="scale").set_value(3.0).run()
    assert settings_of(at) == Settings(activation="relu", init="identity", scale=3.0)
    assert "exploding" in regime_labels(at)


@pytest.mark.parametrize(
    "key, raw, reason",
    [
        ("H", "100000", "outside 2 to 256"),  # huge
        ("T", "-5", "outside 2 to 500"),  # negative
        ("scale", "nan", "not a finite number"),  # NaN
        ("scale", "1e400", "not a finite number"),  # inf
        ("scale", "5.5", "outside"),  # too large
        ("seed", "abc", "not a number"),  # text
        ("H", "64.5", "not a whole number"),  # not an integer
        ("H", "1e2", "not written as a whole number"),  # an integer, not in digits
        ("seed", "-inf", "not a finite number"),  # infinite
        ("activation", "softplus", "not one of"),  # an unknown choice
        ("input", "x" * 1000, "too long"),  # too long
        ("loss", ["many_to_one", "many_to_many"], "more than once"),  # repeated
    ],
)
def test_a_malformed_link_parameter_falls_back_to_its_default_with_a_notice(key, raw, reason):
    good_key, good_name, good_value = (
        ("T", "seq_length", 100) if key == "activation" else ("activation", "activation", "sigmoid")
    )
    at = run_app("pages/gradients.py", {key: raw, good_key: str(good_value)})
    assert_healthy(at)
    notice = link_notice(at)
    assert f"`{key}=" in notice and reason in notice
    name = next(name for name, query_key in QUERY_KEYS.items() if query_key == key)
    assert getattr(settings_of(at), name) == DEFAULTS[name]
    assert getattr(settings_of(at), good_name) == good_value  # the good parameters of the link still apply


def test_many_malformed_parameters_at_once_each_get_a_line_and_the_page_still_works():
    at = run_app(
        "pages/gradients.py", {"H": "-1", "T": "9" * 40, "scale": "abc", "seed": "1e9", "init": "", "unknown": "x"}
    )
    assert_healthy(at)
    notice = link_notice(at)
    assert all(f"`{key}=" in notice for key in ("H", "T", "scale", "seed", "init"))
    assert settings_of(at) == Settings()
    assert regime_labels(at)


@pytest.mark.parametrize("index, name", list(enumerate(PRESETS)))
def test_each_starting_point_loads_its_settings_and_shows_its_regime(index, name):
    at = run_app(None)
    at.button(key=f"preset-{index}").click().run()
    assert_healthy(at)
    assert settings_of(at) == PRESETS[name]
    assert at.title[0].value.startswith("Gradients through time")  # "Show this" opens the Gradients page
    assert regime_labels(at)[0] == PRESET_REGIMES[name]  # the page's own badge and the sidebar's
    assert regime_labels(at)[-1] == PRESET_REGIMES[name]


def test_reset_puts_every_control_back_to_its_default():
    at = run_app(None, {"activation": "relu", "scale": "2", "T": "300"})
    at.button(key="reset_settings").click().run()
    assert settings_of(at) == Settings()


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_a_choice_box_shows_each_choice_s_name_and_the_link_holds_its_value(name):
    from rnnviz.labels import choice_name

    at = run_app("pages/gradients.py")
    box = at.selectbox(key=QUERY_KEYS[name])
    assert box.options == [choice_name(name, value) for value in CHOICES[name]]
    other = next(value for value in CHOICES[name] if value != DEFAULTS[name])
    box.set_value(other).run()
    assert_healthy(at)
    assert at.query_params[QUERY_KEYS[name]] == other
    at.selectbox(key=QUERY_KEYS[name]).set_value(DEFAULTS[name]).run()
    assert QUERY_KEYS[name] not in at.query_params  # a default stays out of the link


def test_a_link_to_another_page_sets_a_choice_and_a_page_change_without_one_keeps_the_box():
    at = run_app("pages/sequences.py")
    at.query_params[QUERY_KEYS["loss_placement"]] = "many_to_many"  # what Sequences' links to Gradients carry
    at.switch_page("pages/gradients.py").run()
    assert_healthy(at)
    assert at.session_state[QUERY_KEYS["loss_placement"]] == "many_to_many"
    del at.query_params[QUERY_KEYS["loss_placement"]]  # the navigation starts from an address without it
    at.switch_page("pages/unfold.py").run()
    assert at.session_state[QUERY_KEYS["loss_placement"]] == "many_to_many"
    assert at.query_params[QUERY_KEYS["loss_placement"]] == "many_to_many"  # written again
