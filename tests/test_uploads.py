"""Crafted .npz uploads: every malformed kind is refused by `rnnviz.npz.read_npz` (and so by the Train page's
`load_model`) with a ValueError that names the problem, before any array it declares is read."""

from __future__ import annotations

import io
import pickle
import struct
import zipfile

import numpy as np
import pytest
from numpy.lib import format as npy_format

from rnnviz.npz import read_npz
from rnnviz.settings import LIMITS
from rnnviz.train import ARTICLE_TEXT, load_model, model_bytes, train_char_rnn
from tests.conftest import assert_healthy, run_app

MAX = LIMITS.model_file_bytes


def npy(header: dict, data: bytes, version: tuple[int, int] = (1, 0)) -> bytes:
    """A .npy member with exactly this header and these bytes after it (which need not match)."""
    buffer = io.BytesIO()
    write = npy_format.write_array_header_1_0 if version == (1, 0) else npy_format.write_array_header_2_0
    write(buffer, header)
    return buffer.getvalue() + data


def header(shape, descr: str = "<f8", fortran_order: bool = False) -> dict:
    return {"descr": descr, "fortran_order": fortran_order, "shape": shape}


def archive(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def with_declared_size(data: bytes, size: int) -> bytes:
    """The one-member archive `data` with its zip directory (local header and central entry) declaring `size`
    unpacked bytes, whatever the member really inflates to."""
    data = bytearray(data)
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, size)
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


@pytest.fixture(scope="module")
def good_model() -> bytes:
    return model_bytes(train_char_rnn(ARTICLE_TEXT, epochs=2))


def refused(data: bytes, words: str) -> str:
    """The message of the ValueError read_npz raises (and load_model raises the same), checked for `words`."""
    with pytest.raises(ValueError, match=words) as raised:
        read_npz(data, max_bytes=MAX)
    with pytest.raises(ValueError, match=words):
        load_model(data, LIMITS)
    return str(raised.value)


def test_a_good_model_file_reads_back_every_array(good_model):
    arrays = read_npz(good_model, max_bytes=MAX)
    assert set(arrays) == {"W_xh", "W_hh", "b_h", "W_hy", "b_y", "vocabulary", "activation", "seq_length", "format"}
    assert arrays["W_hh"].dtype == np.float64 and arrays["W_hh"].shape == (50, 50)
    assert arrays["W_hh"].flags.writeable


def test_an_array_in_fortran_order_reads_as_numpy_wrote_it():
    value = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    buffer = io.BytesIO()
    np.savez(buffer, value=value)
    np.testing.assert_array_equal(read_npz(buffer.getvalue(), max_bytes=MAX)["value"], value)


def test_an_empty_file_is_refused():
    refused(b"", "empty")


@pytest.mark.parametrize("data", [b"not a zip file at all", b"PK\x03\x04" + b"\x00" * 40, pickle.dumps({"a": 1})])
def test_a_file_that_is_not_a_zip_archive_is_refused(data):
    refused(data, "not an .npz archive")


def test_an_oversized_file_is_refused_unread():
    with pytest.raises(ValueError, match=f"at most {MAX:,}"):
        read_npz(b"\x00" * (MAX + 1), max_bytes=MAX)
    with pytest.raises(ValueError, match="larger than"):
        load_model(b"\x00" * (MAX + 1), LIMITS)


def test_an_archive_with_no_member_is_refused():
    refused(archive({}), "holds no arrays")


def test_a_member_without_the_npy_suffix_is_refused():
    message = refused(archive({"W_hh": npy(header((2, 2)), bytes(32))}), "is not a .npy array")
    assert "'W_hh'" in message


def test_a_npy_member_holding_raw_bytes_is_refused():
    message = refused(archive({"format.npy": b"rnnviz-char-rnn-1 and some raw bytes"}), "NumPy's header")
    assert "'format.npy'" in message


def test_pickled_objects_are_refused_and_never_unpickled(good_model):
    with np.load(io.BytesIO(good_model)) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["vocabulary"] = np.array(list(arrays["vocabulary"]), dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    message = refused(buffer.getvalue(), "pickled Python objects")
    assert "'vocabulary.npy'" in message


@pytest.mark.parametrize("descr", [[("a", "<f8"), ("b", "<i4")], "<M8[s]", "|V8", ("<f8", (2,))])
def test_structured_datetime_and_void_dtypes_are_refused(descr):
    refused(archive({"W_hh.npy": npy(header((2,), descr=descr), bytes(64))}), "only plain numbers and text")


def test_a_header_declaring_93_gib_is_refused_before_anything_is_allocated():
    shape = (111_700, 111_700)  # 93 GiB of float64
    message = refused(archive({"W_hh.npy": npy(header(shape), bytes(64))}), "declares shape")
    assert f"{111_700 * 111_700 * 8:,} bytes" in message


def test_a_hidden_size_of_ten_billion_is_refused_before_anything_is_allocated():
    refused(archive({"W_hh.npy": npy(header((10**10, 10**10)), bytes(64))}), "declares shape")


def test_a_header_declaring_fewer_bytes_than_the_member_holds_is_refused():
    message = refused(archive({"W_hh.npy": npy(header((2, 2)), bytes(8 * 4 + 800))}), "holds more")
    assert "(2, 2)" in message


def test_a_header_declaring_more_bytes_than_the_member_holds_is_refused():
    refused(archive({"W_hh.npy": npy(header((20, 20)), bytes(8 * 4))}), "holds fewer")


@pytest.mark.parametrize(
    "raw",
    [
        b"{'descr': '<f8', 'fortran_order': False}",  # no shape
        b"{'descr': '<f8', 'fortran_order': False, 'shape': (-3, 2)}",
        b"{'descr': 'not a dtype', 'fortran_order': False, 'shape': (2,)}",
        b"__import__('os').system('true')",
        b"[1, 2, 3]",
    ],
)
def test_a_malformed_npy_header_is_refused_unevaluated(raw):
    padded = raw + b" " * (63 - (10 + len(raw)) % 64) + b"\n"
    member = npy_format.magic(1, 0) + struct.pack("<H", len(padded)) + padded + bytes(32)
    refused(archive({"W_hh.npy": member}), "malformed .npy header|impossible shape")


def test_an_unknown_npy_version_is_refused():
    member = npy_format.magic(3, 0) + bytes(64)
    refused(archive({"W_hh.npy": member}), "format version")


def test_a_zip_bomb_is_refused_from_its_directory_unread():
    bomb = archive({"W_hh.npy": npy(header((6_250_000,)), bytes(50_000_000))})  # 50 MB of zeros
    assert len(bomb) < MAX
    refused(bomb, "unpacks to more than")


def test_a_zip_bomb_whose_directory_lies_about_its_size_is_refused_as_damaged():
    small = npy(header((109,)), bytes(872))  # 1,000 bytes, as the directory will say
    bomb = with_declared_size(archive({"W_hh.npy": small + bytes(50_000_000)}), len(small))
    refused(bomb, "damaged")


def test_too_many_members_are_refused():
    refused(archive({f"a{index}.npy": npy(header((1,)), bytes(8)) for index in range(100)}), "members")


def test_an_encrypted_member_is_refused():
    data = bytearray(archive({"W_hh.npy": npy(header((2,)), bytes(16))}))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the central directory's "encrypted" flag
    refused(bytes(data), "encrypted")


def test_a_member_stored_twice_is_refused():
    member = npy(header((2,)), bytes(16))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("W_hh.npy", member)
        zf.writestr("W_hh.npy", member)
    refused(buffer.getvalue(), "twice")


def test_a_corrupted_member_is_refused_as_damaged(good_model):
    data = bytearray(good_model)
    start = data.find(b"PK\x03\x04") + 30 + len("W_xh.npy") + 200
    data[start : start + 50] = bytes(50)
    with pytest.raises(ValueError, match="damaged|malformed|NumPy's header"):
        read_npz(bytes(data), max_bytes=MAX)


def test_a_thousand_random_corruptions_raise_nothing_but_value_errors(good_model):
    rng = np.random.default_rng(0)
    for _ in range(1000):
        data = bytearray(good_model)
        for position in rng.integers(0, len(data), size=int(rng.integers(1, 8))):
            data[position] = int(rng.integers(0, 256))
        try:
            load_model(bytes(data[: int(rng.integers(1, len(data) + 1))] if rng.random() < 0.2 else data))
        except ValueError as error:
            assert str(error)


def test_the_train_page_shows_a_crafted_upload_as_a_message_and_keeps_working():
    at = run_app("pages/train.py")
    crafted = archive({"W_hh.npy": npy(header((111_700, 111_700)), bytes(64))})
    at.file_uploader(key="train_upload").set_value(("huge.npz", crafted, "application/octet-stream")).run()
    assert_healthy(at)
    errors = [str(element.value) for element in at.error]
    assert any("huge.npz" in text and "declares shape" in text for text in errors), errors
    at.file_uploader(key="train_upload").set_value(("raw.npz", archive({"format.npy": b"raw"}), "x")).run()
    assert_healthy(at)
    assert any("NumPy's header" in str(element.value) for element in at.error)
