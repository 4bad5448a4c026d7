"""Reading an .npz file from a stranger: every member's header checked before any array is read.

An .npz file is a zip archive of .npy members, each a small header (NumPy's format 1.0 or 2.0: dtype, Fortran
order, shape) followed by the array's raw bytes. `np.load` trusts what it reads: a member that is not an array
fails deep inside NumPy, a header that declares 93 GiB allocates them, a zip member that declares little and
inflates to much fills the memory. `read_npz` reads nothing it has not checked:

1. the file's size, and that it is a zip archive with a bounded number of .npy members;
2. the sizes the zip directory declares, summed, against the budget (a zip bomb is refused unread), and no
   member is encrypted;
3. each member's .npy header: its version, a plain dtype (no Python objects: nothing is ever unpickled), the
   shape, and the bytes that shape needs against the budget and against the bytes the member holds;
4. only then the array, read to the end, so that the zip's checksum is verified.

Any problem is a ValueError whose message says what is wrong with the file, for a page to show as text.

    arrays = read_npz(uploaded_bytes, max_bytes=2_000_000)     # {"W_hh": array, ...}
"""

from __future__ import annotations

import io
import math
import tokenize
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy_format

ACCEPTED_KINDS = "biufcUS"  # bool, integers, floats, complex, text and bytes: dtypes that hold no Python object
MAX_MEMBERS = 64  # members in one archive
MAX_NAME_CHARS = 200  # characters in a member's name
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


def read_npz(data: bytes, max_bytes: int, max_members: int = MAX_MEMBERS) -> dict[str, np.ndarray]:
    """The arrays of the .npz file `data`, each checked before it is read.

    Parameters
    ----------
    data : bytes
        The whole file.
    max_bytes : int
        The most bytes accepted, for the file itself and for all its arrays unpacked together.
    max_members : int
        The most arrays in the archive.

    Returns
    -------
    dict
        member name without ".npy" -> a NumPy array of the dtype and shape its header declares.

    Raises
    ------
    ValueError
        The file is empty, too large, not a zip archive, or a member is not a plain .npy array whose header
        matches its bytes; the message says which member and what is wrong.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"data must be the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise ValueError("The file is empty.")
    if len(data) > max_bytes:
        raise ValueError(f"The file has {len(data):,} bytes; at most {max_bytes:,} are accepted here.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValueError("The file is not an .npz archive: it is not a zip file.") from None
    with archive:
        members = _checked_directory(archive.infolist(), max_bytes, max_members)
        return {name: _read_member(archive, member, max_bytes) for name, member in members.items()}


def _checked_directory(members: list[zipfile.ZipInfo], max_bytes: int, max_members: int) -> dict[str, zipfile.ZipInfo]:
    """name -> member, after the checks of the zip directory alone (nothing unpacked yet)."""
    if not members:
        raise ValueError("The .npz archive holds no arrays.")
    if len(members) > max_members:
        raise ValueError(f"The .npz archive has {len(members):,} members; at most {max_members} are accepted here.")
    named = {}
    for member in members:
        shown = repr(member.filename[:MAX_NAME_CHARS])
        if len(member.filename) > MAX_NAME_CHARS:
            raise ValueError(f"A member's name is longer than {MAX_NAME_CHARS} characters: {shown}…")
        if not member.filename.endswith(".npy") or member.is_dir():
            raise ValueError(f"The member {shown} is not a .npy array (an .npz file holds only .npy members).")
        if member.flag_bits & 0x1:
            raise ValueError(f"The member {shown} is encrypted; encrypted archives are not read.")
        name = member.filename.removesuffix(".npy")
        if name in named:
            raise ValueError(f"The archive holds the array {name!r} twice.")
        named[name] = member
    unpacked, packed = sum(m.file_size for m in members), sum(m.compress_size for m in members)
    if unpacked > max_bytes:
        raise ValueError(
            f"The archive unpacks to more than {max_bytes:,} bytes, the most accepted here: {unpacked:,} bytes "
            f"from {packed:,} compressed."
        )
    return named


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, max_bytes: int) -> np.ndarray:
    """One member's array: its header read and checked, then exactly the bytes it declares, then the end."""
    shown = repr(member.filename)
    try:
        with archive.open(member) as stream:
            shape, fortran_order, dtype = _checked_header(stream, shown)
            nbytes = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
            if nbytes > max_bytes:
                raise ValueError(
                    f"The array {shown} declares shape {shape} of {dtype} ({nbytes:,} bytes); at most "
                    f"{max_bytes:,} are accepted here."
                )
            held = member.file_size - stream.tell()
            if held != nbytes:
                longer = "more" if held > nbytes else "fewer"
                raise ValueError(
                    f"The array {shown} is damaged: its header declares shape {shape} of {dtype} ({nbytes:,} "
                    f"bytes), but the member holds {longer} ({held:,} bytes)."
                )
            raw = stream.read(nbytes)
            if len(raw) != nbytes or stream.read(1):  # reading to the end checks the zip's CRC
                raise ValueError(f"The array {shown} is damaged: its bytes do not match its zip entry.")
    except _READ_ERRORS as error:
        raise ValueError(f"The member {shown} is damaged and cannot be unpacked ({error}).") from None
    order = "F" if fortran_order else "C"
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order=order).copy()


def _checked_header(stream, shown: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from a .npy header, or a ValueError in words."""
    try:
        version = npy_format.read_magic(stream)
    except ValueError:
        raise ValueError(f"The member {shown} is not a .npy array: it does not start with NumPy's header.") from None
    readers = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
    if version not in readers:
        raise ValueError(f"The array {shown} has .npy format version {version}; versions 1.0 and 2.0 are read.")
    try:
        shape, fortran_order, dtype = readers[version](stream)
    except (ValueError, SyntaxError, TypeError, tokenize.TokenError, RecursionError) as error:
        raise ValueError(f"The array {shown} has a malformed .npy header ({str(error)[:200]}).") from None
    if dtype.hasobject or dtype.kind not in ACCEPTED_KINDS or dtype.fields is not None or dtype.subdtype:
        what = "pickled Python objects, which are never loaded" if dtype.hasobject else "a dtype that is not read here"
        raise ValueError(
            f"The array {shown} holds {what} (dtype {str(dtype)[:80]}); only plain numbers and text are read."
        )
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"The array {shown} declares an impossible shape {shape}.")
    return tuple(shape), bool(fortran_order), dtype
